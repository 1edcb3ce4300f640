#!/bin/sh
# Registers the demo admin and the device enrollment token from the mounted secrets (idempotent), then serves.
set -eu
JAR=/opt/device-tunnel/relay-server.jar
STATE="${DT_STATE_DIR:-/var/lib/device-tunnel}"
# Relays of one cluster share their keys: given as secret files, they are placed in the state dir.
install_key() { [ -n "$1" ] && [ ! -s "$STATE/$2" ] && install -m 0600 "$1" "$STATE/$2" || true; }
install_key "${DT_RELAY_KEY_FILE:-}" relay_ed25519
install_key "${DT_USER_CA_KEY_FILE:-}" user_ca_ed25519
java -jar "$JAR" user add admin --role admin --password-file "$DT_ADMIN_PASSWORD_FILE" --if-missing
java -jar "$JAR" enroll create --reusable --auto-accept --expires 30d --labels env=demo \
     --token-file "$DT_DEMO_ENROLLMENT_TOKEN_FILE"
exec java -jar "$JAR" serve
