#!/usr/bin/env bash
# `make up-cluster`: two relays sharing this machine's PostgreSQL and NATS, HAProxy in front of
# them, and one simulated device that connects through HAProxy. Prints the same lines as `make up`
# plus each relay's own URL. `make down` stops it. Secrets are generated into .demo-cluster/.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8080}"; PORT_A="${PORT_A:-8081}"; PORT_B="${PORT_B:-8082}"
RELAY_JAR="${RELAY_JAR:?}"; AGENT_JAR="${AGENT_JAR:?}"
PG_HOST=127.0.0.1; PG_PORT=5432; PG_DB="${PG_DB:-test}"; PG_USER="${PG_USER:-postgres}"; SCHEMA="${SCHEMA:-devtunnel_cluster_demo}"
NATS_URL="nats://127.0.0.1:4222"
DEMO=.demo-cluster
DEVICE_ID=demo-device
URL="http://127.0.0.1:${PORT}"
umask 077
mkdir -p "$DEMO/relay-a" "$DEMO/relay-b" "$DEMO/agent"

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
fail() { echo "$*" >&2; exit 1; }

reachable "$PG_HOST" "$PG_PORT" || fail "PostgreSQL is not reachable at $PG_HOST:$PG_PORT. Start it with:
  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
reachable 127.0.0.1 4222 || fail "NATS is not reachable at $NATS_URL. Start it (JetStream on) with:
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server"
if ! command -v haproxy >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing haproxy (the load balancer in front of the relays)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
  else
    fail "make up-cluster needs HAProxy: sudo apt-get install -y haproxy"
  fi
fi
for p in "$PORT" "$PORT_A" "$PORT_B"; do
  reachable 127.0.0.1 "$p" && fail "port $p is in use: try 'make up-cluster PORT=9080 PORT_A=9081 PORT_B=9082'"
done
running "$DEMO/relay-a.pid" && fail "the cluster demo is already running (make down to stop it)"

# The cluster's state lives in its own schema; a fresh demo (no .demo-cluster secrets) starts it afresh.
fresh=""
[[ -s "$DEMO/admin.password" ]] || fresh="DROP SCHEMA IF EXISTS $SCHEMA CASCADE;"
psql -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -c "SET client_min_messages = warning; $fresh CREATE SCHEMA IF NOT EXISTS $SCHEMA" >/dev/null \
  || fail "could not create schema $SCHEMA in database $PG_DB as $PG_USER"
DB_URL="jdbc:postgresql://$PG_HOST:$PG_PORT/$PG_DB?currentSchema=$SCHEMA&user=$PG_USER"
# HAProxy (on 127.0.0.1) names each client in X-Forwarded-For: per-address limits stay per device.
CLUSTER=(--database-url "$DB_URL" --cluster-nats-url "$NATS_URL" --cluster-subject-prefix "${SUBJECT_PREFIX:-devtunnel-demo}"
  --trusted-proxies 127.0.0.1)

start_relay() { # id port
  setsid nohup java -Xmx256m -jar "$RELAY_JAR" serve --listen "127.0.0.1:$2" --state-dir "$DEMO/relay-$1" \
      "${CLUSTER[@]}" --advertise-url "http://127.0.0.1:$2" --relay-id "relay-$1" \
      >"$DEMO/relay-$1.log" 2>&1 < /dev/null &
  echo $! > "$DEMO/relay-$1.pid"
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0
    running "$DEMO/relay-$1.pid" || { tail -20 "$DEMO/relay-$1.log" >&2; fail "relay $1 failed to start; see $DEMO/relay-$1.log"; }
    sleep 0.5
  done
  fail "relay $1 did not become ready; see $DEMO/relay-$1.log"
}

[[ -s "$DEMO/admin.password" ]] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$DEMO/admin.password"
java -jar "$RELAY_JAR" user add admin --role admin --password-file "$DEMO/admin.password" --if-missing \
     --state-dir "$DEMO/relay-a" --database-url "$DB_URL" >>"$DEMO/setup.log" 2>&1 || fail "set-up failed; see $DEMO/setup.log"
if [[ ! -s "$DEMO/agent/enrollment.json" ]]; then
  java -jar "$RELAY_JAR" enroll create --one-time --auto-accept --expires 1h --labels env=demo \
       --token-file "$DEMO/agent/enroll.token" --state-dir "$DEMO/relay-a" --database-url "$DB_URL" \
       >>"$DEMO/setup.log" 2>&1 || fail "set-up failed; see $DEMO/setup.log"
fi
start_relay a "$PORT_A"
# Every relay of a cluster signs with the same keys and tokens (docs/SCALING.md).
for f in relay_ed25519 user_ca_ed25519 jwt.secret totp.key; do cp -p "$DEMO/relay-a/$f" "$DEMO/relay-b/$f"; done
start_relay b "$PORT_B"

sed -e "s/@PORT@/$PORT/; s/@PORT_A@/$PORT_A/; s/@PORT_B@/$PORT_B/" deploy/haproxy-cluster.cfg > "$DEMO/haproxy.cfg"
haproxy -D -f "$DEMO/haproxy.cfg" -p "$DEMO/haproxy.pid" >"$DEMO/haproxy.log" 2>&1 || fail "haproxy failed; see $DEMO/haproxy.log"

setsid nohup java -Xmx128m -jar "$AGENT_JAR" --relay "$URL" --device-id "$DEVICE_ID" \
     --enrollment-token-file "$DEMO/agent/enroll.token" --state-dir "$DEMO/agent" --allow-forwarding \
     >"$DEMO/agent.log" 2>&1 < /dev/null &
echo $! > "$DEMO/agent.pid"

password="$(cat "$DEMO/admin.password")"
for _ in $(seq 1 120); do
  token="$(curl -fsS -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"${password}\"}" \
      "$URL/api/v1/auth/login" 2>/dev/null | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')" || true
  if [[ -n "$token" ]] && curl -fsS -H "Authorization: Bearer $token" "$URL/api/v1/devices/$DEVICE_ID" 2>/dev/null \
      | grep -q '"online":true'; then
    echo "relay: $URL"
    echo "login: admin ${password}"
    echo "device: ${DEVICE_ID} online"
    echo "relay-a: http://127.0.0.1:${PORT_A}"
    echo "relay-b: http://127.0.0.1:${PORT_B}"
    exit 0
  fi
  running "$DEMO/agent.pid" || { tail -20 "$DEMO/agent.log" >&2; fail "agent failed to start; see $DEMO/agent.log"; }
  sleep 0.5
done
fail "device did not come online within 60 s; see $DEMO/*.log"
