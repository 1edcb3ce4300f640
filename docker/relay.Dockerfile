# The relay. Build the jars first (`make build`), then `docker-compose up --build`.
FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/device-tunnel --create-home relay
COPY relay-server/target/relay-server-0.1.0-SNAPSHOT-all.jar /opt/device-tunnel/relay-server.jar
COPY docker/relay-entrypoint.sh /opt/device-tunnel/entrypoint.sh
USER relay
ENV DT_STATE_DIR=/var/lib/device-tunnel
EXPOSE 8080
ENTRYPOINT ["/opt/device-tunnel/entrypoint.sh"]
