#!/bin/sh
# Places the cluster's shared keys (secret files) in the state dir, registers the admin and an
# enrollment token when their secret files are given (idempotent; the compose demo does), then serves.
set -eu
JAR=/opt/device-tunnel/relay-server.jar
STATE="${DT_STATE_DIR:-/var/lib/device-tunnel}"
# Relays of one cluster share their keys: given as secret files, they are placed in the state dir.
install_key() { [ -n "$1" ] && [ ! -s "$STATE/$2" ] && install -m 0600 "$1" "$STATE/$2" || true; }
install_key "${DT_RELAY_KEY_FILE:-}" relay_ed25519
install_key "${DT_USER_CA_KEY_FILE:-}" user_ca_ed25519
if [ -n "${DT_ADMIN_PASSWORD_FILE:-}" ]; then
    java -jar "$JAR" user add admin --role admin --password-file "$DT_ADMIN_PASSWORD_FILE" --if-missing
fi
if [ -n "${DT_DEMO_ENROLLMENT_TOKEN_FILE:-}" ]; then
    java -jar "$JAR" enroll create --reusable --auto-accept --expires 30d --labels env=demo \
         --token-file "$DT_DEMO_ENROLLMENT_TOKEN_FILE"
fi
exec java -jar "$JAR" serve
