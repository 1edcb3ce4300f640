#!/usr/bin/env bash
# Rolling restart of the relays `make up-cluster` started (.demo-cluster): each relay in turn gets
# SIGTERM (it drains: devices are sent to its siblings, its sessions are handed over after
# --drain-timeout and their consoles resume elsewhere), is started again with the same command
# line, and must be ready (/readyz 200) with every device back online before the next one goes.
# Prints devices online and open shells before and after; exits 1 if a device or shell was lost.
# Usage: scripts/rolling-restart.sh   (PORT, DEMO, WAIT_SECONDS may be set in the environment)
set -euo pipefail
cd "$(dirname "$0")/.."

DEMO="${DEMO:-.demo-cluster}"
PORT="${PORT:-8080}"
URL="http://127.0.0.1:${PORT}"
WAIT_SECONDS="${WAIT_SECONDS:-120}"

fail() { echo "rolling-restart: $*" >&2; exit 2; }
running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

shopt -s nullglob
pidfiles=("$DEMO"/relay-*.pid)
((${#pidfiles[@]})) || fail "no relays found in $DEMO (start them with make up-cluster)"
[[ -s "$DEMO/admin.password" ]] || fail "$DEMO/admin.password is missing"

token() {
  curl -fsS -H 'Content-Type: application/json' \
       -d "{\"username\":\"admin\",\"password\":\"$(cat "$DEMO/admin.password")\"}" \
       "$URL/api/v1/auth/login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
TOKEN="$(token)" || fail "cannot log in at $URL"
[[ -n "$TOKEN" ]] || fail "cannot log in at $URL"
api() { curl -fsS -H "Authorization: Bearer $TOKEN" "$1"; }

# The relay's own base URL, from its --listen argument (NUL-separated /proc cmdline).
relay_url() { tr '\0' '\n' < "/proc/$1/cmdline" | sed -n '/^--listen$/{n;p;q}' | sed 's|^|http://|'; }

devices_online() { api "$URL/api/v1/devices" | grep -o '"online":true' | wc -l; }

# Ids of the terminal sessions every live relay holds; with "attached" only those a console watches.
session_ids() { # [attached]
  local f pid
  for f in "${pidfiles[@]}"; do
    running "$f" || continue
    pid="$(cat "$f")"
    api "$(relay_url "$pid")/api/v1/sessions" 2>/dev/null | grep -o '{[^{}]*}' \
      | { if [[ "${1:-}" == attached ]]; then grep '"attached":true'; else cat; fi; } \
      | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' || true
  done | sort -u
}

await() { # description command...
  local what=$1; shift
  for _ in $(seq 1 $((WAIT_SECONDS * 2))); do "$@" && return 0; sleep 0.5; done
  echo "rolling-restart: timed out after ${WAIT_SECONDS}s waiting for $what" >&2
  return 1
}
ready() { curl -fsS -o /dev/null "$1/readyz" 2>/dev/null; }
devices_back() { [[ "$(devices_online)" -ge "$devices_before" ]]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

devices_before="$(devices_online)"
sessions_before="$(session_ids attached)"
echo "before: devices online ${devices_before}, shells open (watched by a console) $(grep -c . <<<"$sessions_before" || true)"

started=$SECONDS
for f in "${pidfiles[@]}"; do
  name="$(basename "$f" .pid)"
  pid="$(cat "$f")"
  running "$f" || fail "$name (pid $pid) is not running"
  mapfile -d '' argv < "/proc/$pid/cmdline"
  url="$(relay_url "$pid")"
  step=$SECONDS
  echo "$name: draining (SIGTERM to pid $pid)"
  kill -TERM "$pid"
  await "$name to exit" gone "$pid" || exit 1
  setsid nohup "${argv[@]}" >>"$DEMO/$name.log" 2>&1 </dev/null &
  echo $! > "$f"
  await "$name to be ready at $url" ready "$url" || exit 1
  await "every device to be online again" devices_back || exit 1
  echo "$name: ready again (pid $(cat "$f")) after $((SECONDS - step)) s; devices online $(devices_online)"
done

# Consoles resume their shells on their own; give them the time their backoff needs.
missing() { comm -23 <(echo "$sessions_before") <(session_ids); }
no_shell_missing() { [[ -z "$(missing)" ]]; }
await "consoles to resume their shells" no_shell_missing || true
devices_after="$(devices_online)"
lost_shells="$(missing | grep -c . || true)"
echo "after: devices online ${devices_after}, shells open $(session_ids | grep -c . || true); took $((SECONDS - started)) s"
if [[ "$devices_after" -lt "$devices_before" || "$lost_shells" -gt 0 ]]; then
  echo "LOST: $((devices_before - devices_after > 0 ? devices_before - devices_after : 0)) device(s), ${lost_shells} shell(s)" >&2
  exit 1
fi
echo "lost: 0 devices, 0 shells"
