# syntax=docker/dockerfile:1
# A simulated device: the agent plus a login shell, built from source: `docker-compose up --build`.
# Build stage: JDK + Maven. Runtime: a JRE only, user 10001; the agent writes only its state
# volume, sessions their home and /tmp (tmpfs under a read-only root filesystem).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -pl device-agent -am package \
 && cp device-agent/target/device-agent-*-all.jar /device-agent.jar

FROM eclipse-temurin:17-jre
RUN useradd --uid 10001 --user-group --home-dir /home/device --create-home --shell /bin/bash device \
 && install -d -o device -g device -m 0700 /home/device/agent-state
COPY --from=build /device-agent.jar /opt/device-tunnel/device-agent.jar
ENV DT_STATE_DIR=/home/device/agent-state \
    JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -XX:MaxRAMPercentage=50"
VOLUME /home/device/agent-state
USER 10001:10001
# `device-agent status` exits 0 only while the agent is connected to its relay.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD java -jar /opt/device-tunnel/device-agent.jar status >/dev/null || exit 1
ENTRYPOINT ["java", "-jar", "/opt/device-tunnel/device-agent.jar"]
