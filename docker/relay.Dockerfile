# syntax=docker/dockerfile:1
# The relay, built from source: `docker-compose up --build` (or `docker build -f docker/relay.Dockerfile .`).
# Build stage: JDK + Maven + Node (the web UI). Runtime: a JRE only, user 10001, nothing written
# outside the state volume and /tmp, so it runs with a read-only root filesystem.

FROM node:20-bookworm-slim AS node

FROM maven:3.9-eclipse-temurin-17 AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -pl relay-server -am package \
 && cp relay-server/target/relay-server-*-all.jar /relay-server.jar

FROM eclipse-temurin:17-jre
# curl: the health check below
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/device-tunnel --no-create-home relay \
 && install -d -o relay -g relay -m 0700 /var/lib/device-tunnel
COPY --from=build /relay-server.jar /opt/device-tunnel/relay-server.jar
COPY docker/relay-entrypoint.sh /opt/device-tunnel/entrypoint.sh
ENV DT_STATE_DIR=/var/lib/device-tunnel \
    DT_LISTEN=0.0.0.0:8080 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME /var/lib/device-tunnel
USER 10001:10001
EXPOSE 8080
# /readyz: 200 while the relay takes sessions (503 when the store fails or while it drains).
# Behind TLS set DT_HEALTH_URL=https://127.0.0.1:8080/readyz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsSk "${DT_HEALTH_URL:-http://127.0.0.1:8080/readyz}" >/dev/null || exit 1
ENTRYPOINT ["/opt/device-tunnel/entrypoint.sh"]
