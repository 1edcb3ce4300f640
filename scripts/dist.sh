#!/usr/bin/env bash
# Lays out a release the way a GitHub release holds it: the relay and agent jars and the .debs, under
# names that carry the version, and SHA256SUMS over them (`sha256sum -c SHA256SUMS` checks them).
# `make dist` builds the inputs and calls this; DebPackagesIT calls it on packages of its own.
set -euo pipefail
: "${VERSION:?}" "${RELAY_JAR:?}" "${AGENT_JAR:?}" "${DEB_DIR:?}"
OUT=${OUT:-dist}

rm -rf "$OUT"
mkdir -p "$OUT"
cp "$RELAY_JAR" "$OUT/devtunnel-relay-$VERSION.jar"
cp "$AGENT_JAR" "$OUT/devtunnel-agent-$VERSION.jar"
cp "$DEB_DIR/devtunnel-relay_${VERSION}_all.deb" "$DEB_DIR/devtunnel-agent_${VERSION}_all.deb" "$OUT/"
(cd "$OUT" && sha256sum -- *.jar *.deb >SHA256SUMS)
echo "release in $OUT:"
(cd "$OUT" && ls -l)
