#!/usr/bin/env bash
# A minimal Java runtime for the agent (jlink, from the JDK that runs this), for devices without
# Java: scripts/agent-jre.sh OUT_DIR. Put it at /usr/share/devtunnel-agent/jre and the .deb's
# /usr/bin/device-agent uses it (docs/OPERATIONS.md, "A bundled runtime"). AgentJreIT enrolls an
# agent running on it.
set -euo pipefail
OUT=${1:?usage: scripts/agent-jre.sh OUT_DIR}
# The modules the agent uses (logging, TLS and EC providers, pty4j/JNA, Unsafe), chosen by hand; AgentJreIT
# runs a real agent on the result, so a missing one fails there.
MODULES=java.base,java.logging,java.management,java.naming,java.net.http,java.xml,java.sql,java.desktop,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.unsupported,jdk.zipfs
JLINK="${JAVA_HOME:+$JAVA_HOME/bin/}jlink"
rm -rf "$OUT"
"$JLINK" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress=2 --generate-cds-archive --output "$OUT"
echo "agent runtime in $OUT ($(du -sh "$OUT" | cut -f1))"
