#!/usr/bin/env bash
# Stops exactly the processes `make up` and `make up-cluster` started (checked by pid file and
# command line).
set -uo pipefail
cd "$(dirname "$0")/.."
stop() { # dir name command-line-marker
  local DEMO=$1 name=$2 jar=$3 pidfile="$1/$2.pid"
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

stop .demo agent device-agent
stop .demo relay relay-server
stop .demo-cluster agent device-agent
stop .demo-cluster haproxy haproxy
stop .demo-cluster relay-a relay-server
stop .demo-cluster relay-b relay-server
