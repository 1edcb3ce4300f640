#!/bin/sh
# Registers the demo admin and the device enrollment token from the mounted secrets (idempotent), then serves.
set -eu
JAR=/opt/device-tunnel/relay-server.jar
java -jar "$JAR" user add admin --role admin --password-file "$DT_ADMIN_PASSWORD_FILE" --if-missing
java -jar "$JAR" enroll create --reusable --auto-accept --expires 30d --labels env=demo \
     --token-file "$DT_DEMO_ENROLLMENT_TOKEN_FILE"
exec java -jar "$JAR" serve
