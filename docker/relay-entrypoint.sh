#!/bin/sh
# Registers the demo admin and device from the mounted secrets (idempotent), then serves.
set -eu
JAR=/opt/device-tunnel/relay-server.jar
java -jar "$JAR" user add admin --role admin --password-file "$DT_ADMIN_PASSWORD_FILE" --if-missing
java -jar "$JAR" device add "$DT_DEMO_DEVICE_ID" --name "Demo device" --labels env=demo \
     --token-file "$DT_DEMO_DEVICE_TOKEN_FILE" --if-missing
exec java -jar "$JAR" serve
