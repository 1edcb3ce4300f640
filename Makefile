# device-tunnel: the whole set-up is `make up` (demo) and `make test` (every test).
# -Dstyle.color=never: no colour codes in front of the lines scripts read (relay:, login:, device:)
MVN        ?= mvn -B -Dstyle.color=never
PORT       ?= 8080
# The project's version, from the root POM (the first <version> at two spaces' indent).
VERSION    := $(shell sed -n 's:^  <version>\(.*\)</version>$$:\1:p' pom.xml | head -1)
RELAY_JAR  := relay-server/target/relay-server-$(VERSION)-all.jar
AGENT_JAR  := device-agent/target/device-agent-$(VERSION)-all.jar

.PHONY: help build test unit up up-cluster down bench bench-quick clean compose-secrets error-codes dist

help:
	@echo "make build   - build all jars (no tests)"
	@echo "make test    - run every test (Java unit + integration, web-ui unit, browser); installs Chromium,"
	@echo "               chromedriver, OpenSSH and docker-compose with apt when run as root"
	@echo "make unit    - the fast tier: unit tests only (no browser, no OpenSSH, no child JVMs)"
	@echo "make up      - start the demo: relay + one simulated device on 127.0.0.1:$(PORT)"
	@echo "make up-cluster - two relays behind HAProxy on the local PostgreSQL and NATS, one device"
	@echo "make down    - stop what 'make up' or 'make up-cluster' started"
	@echo "make bench   - run the benchmarks (make bench-quick for a smoke run)"
	@echo "make dist    - a release in dist/: relay and agent jars, their .deb packages, SHA256SUMS"
	@echo "make error-codes - rewrite web-ui/src/generated/error-codes.ts from ErrorCode (after changing it)"

build:
	$(MVN) -q -DskipTests package

test:
	@scripts/test-prereqs.sh
	@scripts/compose-secrets.sh >/dev/null
	docker-compose -f docker-compose.yml config -q
	$(MVN) verify

unit:
	$(MVN) test

# The build's output goes to .demo/build.log, so the first lines `make up` prints are the three the
# README promises (relay:, login:, device:); a failed build prints its log's tail, nothing is hidden.
up:
	@mkdir -p .demo && $(MVN) -q -DskipTests package >.demo/build.log 2>&1 \
	  || { echo "build failed; see .demo/build.log" >&2; tail -40 .demo/build.log >&2; exit 1; }
	@PORT=$(PORT) RELAY_JAR=$(RELAY_JAR) AGENT_JAR=$(AGENT_JAR) scripts/demo-up.sh

up-cluster: build
	@PORT=$(PORT) RELAY_JAR=$(RELAY_JAR) AGENT_JAR=$(AGENT_JAR) scripts/cluster-up.sh

down:
	@scripts/demo-down.sh

# Not part of `make test`: the packages are built here (profile deb); DebPackagesIT checks the same
# Maven set-up and scripts/dist.sh on stand-in jars.
dist:
	$(MVN) -q -DskipTests -Pdeb -Ddeb.dir=$(CURDIR)/target/debs package
	@VERSION=$(VERSION) RELAY_JAR=$(RELAY_JAR) AGENT_JAR=$(AGENT_JAR) DEB_DIR=target/debs OUT=dist scripts/dist.sh

bench:
	scripts/bench.sh

bench-quick:
	scripts/bench.sh --quick

# The web UI's error table is generated from ErrorCode; ErrorCodeTableTest fails while it differs.
error-codes:
	$(MVN) -q -pl tunnel-protocol compile
	java -cp tunnel-protocol/target/classes devicetunnel.protocol.ErrorCodeTable web-ui/src/generated/error-codes.ts

compose-secrets:
	@scripts/compose-secrets.sh

clean:
	$(MVN) -q clean
