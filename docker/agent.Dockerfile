# A simulated device: the agent plus a login shell. Build the jars first (`make build`).
FROM eclipse-temurin:17-jre
RUN useradd --system --home /home/device --create-home --shell /bin/bash device
COPY device-agent/target/device-agent-0.1.0-SNAPSHOT-all.jar /opt/device-tunnel/device-agent.jar
USER device
ENV DT_STATE_DIR=/home/device/agent-state
ENTRYPOINT ["java", "-jar", "/opt/device-tunnel/device-agent.jar"]
