#!/usr/bin/env sh
# Runs the benchmark harness (relay-server test scope, devicetunnel.relay.bench.BenchMain).
# Usage: scripts/bench.sh [--quick] [--only=setup,bulk,terminal,latency,recording,concurrent,flood,files,browser,agent,idle,cluster-setup,cluster-failover,cluster-idle]
#        [--out=DIR] [--cluster-devices=N] [--cluster-idle-devices=N] [--cluster-backoff-cap=SECONDS]
#        (cluster figures need PostgreSQL and NATS)
# Compiles with the npm build skipped (the bench needs no web assets), asks Maven for the test
# classpath, then runs a plain JVM: exec:java would be skipped by -Dexec.skip, and a plain JVM
# lets the harness choose its own heap and start child JVMs on the same classpath.
set -eu
cd "$(dirname "$0")/.."
# The agent footprint figure runs the shaded agent jar through the package's launcher.
mvn -B -q ${MVN_OFFLINE:-} -pl device-agent -am package -DskipTests
mvn -B -q ${MVN_OFFLINE:-} -pl relay-server -am test-compile dependency:build-classpath \
    -Dexec.skip=true -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
CP="relay-server/target/test-classes:relay-server/target/classes:$(cat relay-server/target/bench-classpath.txt)"
exec java -Xmx2g ${BENCH_GC:--XX:+UseG1GC} -Dlogback.configurationFile=logback-bench.xml ${BENCH_JAVA_OPTS:-} -cp "$CP" devicetunnel.relay.bench.BenchMain --out=target/bench "$@"
