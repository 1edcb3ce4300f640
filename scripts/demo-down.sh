#!/usr/bin/env bash
# Stops exactly the processes `make up` started (checked by pid file and command line).
set -uo pipefail
cd "$(dirname "$0")/.."
DEMO=.demo

stop() {
  local name=$1 jar=$2 pidfile="$DEMO/$1.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "$jar"; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    # The store (SQLite, WAL, synchronous=FULL) survives SIGKILL with every acknowledged write, so
    # the fallback is safe; waiting for the exit matters because the relay holds the state dir's
    # lock until then, and the next `make up` needs it.
    kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done; }
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

stop agent device-agent
stop relay relay-server
