#!/usr/bin/env bash
# Starts the demo: one relay and one simulated device agent, as background processes on this
# machine. Secrets are generated on first start into .demo/ (mode 0600) and never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8080}"
RELAY_JAR="${RELAY_JAR:?}"
AGENT_JAR="${AGENT_JAR:?}"
DEMO=.demo
DEVICE_ID=demo-device
URL="http://127.0.0.1:${PORT}"
umask 077
mkdir -p "$DEMO/relay" "$DEMO/agent"

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
setup_failed() { echo "demo set-up failed; see $DEMO/setup.log" >&2; tail -20 "$DEMO/setup.log" >&2; exit 1; }

if running "$DEMO/relay.pid" || running "$DEMO/agent.pid"; then
  echo "demo already running (make down to stop it)" >&2
else
  if (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null; then
    echo "port ${PORT} is in use: try 'make up PORT=8090'" >&2
    exit 1
  fi
  [[ -s "$DEMO/admin.password" ]] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$DEMO/admin.password"
  # A Prometheus scrape token: reads /metrics without an admin login (docs/OPERATIONS.md#metrics).
  [[ -s "$DEMO/metrics.token" ]] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$DEMO/metrics.token"
  # These commands write to the relay's store, so they run before the relay: while a relay runs on
  # the state dir (say, one started by hand) they are refused with "the relay is running on this
  # state directory", and the set-up stops with that message. A state dir from an older demo (H2,
  # relay.mv.db) is moved to SQLite by the first of them.
  java -jar "$RELAY_JAR" user add admin --role admin --password-file "$DEMO/admin.password" \
       --if-missing --state-dir "$DEMO/relay" >>"$DEMO/setup.log" 2>&1 || setup_failed
  # A one-time, auto-accepting enrollment token: the agent uses it once, then proves itself with its
  # host key. Once the device is enrolled the token file is no longer needed.
  if [[ ! -s "$DEMO/agent/enrollment.json" ]]; then
    java -jar "$RELAY_JAR" enroll create --one-time --auto-accept --expires 1h --labels env=demo \
         --token-file "$DEMO/agent/enroll.token" --state-dir "$DEMO/relay" >>"$DEMO/setup.log" 2>&1 || setup_failed
  fi

  setsid nohup java -jar "$RELAY_JAR" serve --listen "127.0.0.1:${PORT}" --state-dir "$DEMO/relay" \
       --metrics-token-file "$DEMO/metrics.token" >"$DEMO/relay.log" 2>&1 < /dev/null &
  echo $! > "$DEMO/relay.pid"

  # /readyz is 200 only once the store passed its checks and takes writes; a relay on a damaged
  # store exits instead, and its log names the repair (relay-server db check / db restore).
  ready=""
  for _ in $(seq 1 120); do
    curl -fsS "$URL/readyz" >/dev/null 2>&1 && { ready=1; break; }
    running "$DEMO/relay.pid" || { echo "relay failed to start; see $DEMO/relay.log" >&2; tail -20 "$DEMO/relay.log" >&2; exit 1; }
    sleep 0.5
  done
  if [[ -z "$ready" ]]; then
    echo "relay not ready within 60 s: $(curl -sS "$URL/readyz" 2>&1)" >&2
    exit 1
  fi

  setsid nohup java -jar "$AGENT_JAR" --relay "$URL" --device-id "$DEVICE_ID" \
       --enrollment-token-file "$DEMO/agent/enroll.token" --state-dir "$DEMO/agent" --allow-forwarding \
       >"$DEMO/agent.log" 2>&1 < /dev/null &
  echo $! > "$DEMO/agent.pid"
fi

# Wait until the relay reports the device online, through the public API.
password="$(cat "$DEMO/admin.password")"
token=""
for _ in $(seq 1 120); do
  token="$(curl -fsS -H 'Content-Type: application/json' \
      -d "{\"username\":\"admin\",\"password\":\"${password}\"}" "$URL/api/v1/auth/login" 2>/dev/null \
      | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')" || true
  if [[ -n "$token" ]] && curl -fsS -H "Authorization: Bearer $token" "$URL/api/v1/devices/$DEVICE_ID" 2>/dev/null \
      | grep -q '"online":true'; then
    # Record the demo device's browser terminal sessions, so a newcomer finds their session under
    # Recordings at once (docs/OPERATIONS.md#session-recordings). Set on every start: idempotent.
    curl -fsS -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
         -d '{"recording":"on"}' "$URL/api/v1/devices/$DEVICE_ID/features" >/dev/null \
      || { echo "could not switch recording on for $DEVICE_ID" >&2; exit 1; }
    echo "relay: $URL"
    echo "login: admin ${password}"
    echo "device: ${DEVICE_ID} online"
    echo "metrics: $URL/metrics (curl -H \"Authorization: Bearer \$(cat $DEMO/metrics.token)\" $URL/metrics)"
    exit 0
  fi
  running "$DEMO/agent.pid" || { echo "agent failed to start; see $DEMO/agent.log" >&2; tail -20 "$DEMO/agent.log" >&2; exit 1; }
  sleep 0.5
done
echo "device did not come online within 60 s; see $DEMO/relay.log and $DEMO/agent.log" >&2
exit 1
