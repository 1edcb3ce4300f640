package devicetunnel.relay.bench;

import devicetunnel.relay.support.TestRelay;
import devicetunnel.relay.ws.TerminalCompression;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The browser's own path: a client that offers permessage-deflate as Chromium does and acks as the
 * web UI does, against the relay under each {@link TerminalCompression} policy in the same run, the
 * agent as shipped in its own JVM (so its CPU is its own). Per policy: terminal throughput of a
 * {@code cat} of application log lines (and of base64, which hardly compresses), CPU per MB
 * delivered (this JVM = relay + client; the agent's JVM), bytes on the wire per byte delivered, and
 * keystroke echo p50/p99. Value: the shipped default; baseline: Jetty's
 * default deflate (what the relay did before the setting existed).
 */
final class BrowserPath {
    static final String FIGURE = "browser path";
    private static final double MB = 1_000_000;

    /** One text's trip: MB/s delivered, CPU ms per MB in the relay's JVM and the agent's, wire bytes per byte. */
    private record Cat(double mbps, double relayMsPerMb, double agentMsPerMb, double wirePerByte) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f MB/s, %.1f + %.1f ms CPU/MB, %.3f wire/byte", mbps, relayMsPerMb,
                    agentMsPerMb, wirePerByte);
        }
    }

    private record Result(Cat logs, Cat base64, double p50, double p99, String negotiated) {}

    static void run(BenchOptions options, Path dir, Report report) throws Exception {
        Files.createDirectories(dir);
        long size = (long) options.pick(16, 32) * 1024 * 1024;
        Path base64 = dir.resolve("base64.txt");
        TerminalThroughput.writeText(base64, size);
        Path logs = dir.resolve("logs.txt");
        writeLogs(logs, size);
        ShippedAgent shipped = ShippedAgent.layOut(dir.resolve("pkg"));
        TerminalCompression shippedPolicy = devicetunnel.relay.ssh.TerminalSessions.Settings.defaults().compression();
        Map<TerminalCompression, Result> results = new EnumMap<>(TerminalCompression.class);
        for (TerminalCompression policy : TerminalCompression.values()) {
            results.put(policy, measure(policy, options, dir.resolve(policy.name().toLowerCase(Locale.ROOT)), shipped, logs, base64));
        }
        Result now = results.get(shippedPolicy);
        Result before = results.get(TerminalCompression.DEFAULT);
        StringBuilder others = new StringBuilder();
        results.forEach((policy, r) -> others.append(String.format(Locale.ROOT,
                "%s [%s]: logs %s; base64 %s; echo %.2f/%.2f ms. ", policy.name().toLowerCase(Locale.ROOT),
                r.negotiated(), r.logs(), r.base64(), r.p50(), r.p99())));
        String policyNote = "shipped policy " + shippedPolicy.name().toLowerCase(Locale.ROOT) + ", baseline = default (zlib 6)";
        report.add(new Report.Row(FIGURE, "throughput, deflate offered", now.logs().mbps(), "MB/s", before.logs().mbps(),
                ">= 64 MB/s (WebSSH2)", now.logs().mbps() >= 64, policyNote + "; cat of " + size / (1024 * 1024)
                + " MiB of log lines"));
        double cpu = now.logs().relayMsPerMb() + now.logs().agentMsPerMb();
        report.add(new Report.Row(FIGURE, "relay + agent CPU per MB", cpu, "ms",
                before.logs().relayMsPerMb() + before.logs().agentMsPerMb(), "<= 8.8 ms (WebSSH2)", cpu <= 8.8,
                String.format(Locale.ROOT, "relay JVM (with the acking client) %.1f ms, agent JVM %.1f ms",
                        now.logs().relayMsPerMb(), now.logs().agentMsPerMb())));
        report.add(new Report.Row(FIGURE, "wire bytes per output byte", now.logs().wirePerByte(), "",
                before.logs().wirePerByte(), null, null, String.format(Locale.ROOT,
                        "TCP payload the client received (ss bytes_received) / terminal bytes, log lines; base64 %.3f (baseline %.3f)",
                        now.base64().wirePerByte(), before.base64().wirePerByte())));
        report.add(new Report.Row(FIGURE, "echo p50, deflate offered", now.p50(), "ms", before.p50(), "<= 0.47 ms (WebSSH2)",
                now.p50() <= 0.47, null));
        report.add(new Report.Row(FIGURE, "echo p99, deflate offered", now.p99(), "ms", before.p99(), "<= 1.6 ms (WebSSH2)",
                now.p99() <= 1.6, others.toString()));
    }

    private static Result measure(TerminalCompression policy, BenchOptions options, Path dir, ShippedAgent shipped,
                                  Path logs, Path base64) throws Exception {
        String device = "browser-" + policy.name().toLowerCase(Locale.ROOT);
        int keys = options.pick(300, 1_000);
        WebSocketClient client = new WebSocketClient();
        client.setMaxBinaryMessageSize(16 * 1024 * 1024);
        client.start();
        try (TestRelay relay = new TestRelay(dir, config -> config.withPingInterval(Duration.ofSeconds(25))
                .withSessions(config.sessions().withCompression(policy)))) {
            Path token = relay.tokenFile(relay.enrollmentToken(false, true, Map.of()));
            Process agent = shipped.start(ShippedAgent.Launch.LAUNCHER, "", List.of("--relay", relay.baseUrl(), "--device-id", device,
                    "--state-dir", dir.resolve("agent-state").toString(), "--enrollment-token-file", token.toString()),
                    dir.resolve("agent.log"));
            try {
                relay.awaitOnline(device, true, Duration.ofSeconds(60));
                try (BrowserTerminal t = BrowserTerminal.open(client, relay.ws("/api/v1/devices/" + device + "/terminal?cols=120&rows=40"),
                        relay.adminToken(), true)) {
                    t.session().get(30, TimeUnit.SECONDS);
                    cat(t, agent, base64, 1); // warm-up: both JVMs compile the path first
                    Cat logCat = cat(t, agent, logs, options.pick(1, 3));
                    Cat base64Cat = cat(t, agent, base64, options.pick(1, 3));
                    t.enterEchoMode(BenchRig.TIMEOUT);
                    KeystrokeLatency.measure(t, 200);
                    Stats echo = KeystrokeLatency.measure(t, keys);
                    Result r = new Result(logCat, base64Cat, echo.percentileMillis(50), echo.percentileMillis(99),
                            t.negotiated().isEmpty() ? "no extension" : t.negotiated());
                    System.out.printf(Locale.ROOT, "  %s: %s%n", policy, r);
                    return r;
                }
            } finally {
                agent.destroy();
                agent.waitFor(20, TimeUnit.SECONDS);
            }
        } finally {
            client.stop();
        }
    }

    private static Cat cat(BrowserTerminal t, Process agent, Path text, int runs) throws Exception {
        long self = ProcessHandle.current().pid();
        double ticks = ProcStats.clockTicksPerSecond();
        String command = "cat " + text + "; echo D$((1+1))NE";
        long bytes0 = t.output().received();
        long wire0 = t.wireBytesReceived();
        long relayTicks0 = ProcStats.cpuTicks(self);
        long agentTicks0 = ProcStats.cpuTicks(agent.pid());
        long nanos = 0;
        for (int i = 0; i < runs; i++) {
            nanos += t.run(command, "D2NE", Duration.ofSeconds(120));
        }
        double mb = (t.output().received() - bytes0) / MB;
        return new Cat(mb / (nanos / 1e9), (ProcStats.cpuTicks(self) - relayTicks0) / ticks * 1000 / mb,
                (ProcStats.cpuTicks(agent.pid()) - agentTicks0) / ticks * 1000 / mb,
                (t.wireBytesReceived() - wire0) / (mb * MB));
    }

    /** Application log lines (timestamps, levels, names, ids): what terminals mostly show in bulk. */
    static void writeLogs(Path file, long size) throws IOException {
        String[] levels = {"INFO ", "INFO ", "INFO ", "DEBUG", "WARN "};
        String[] names = {"o.e.j.server.Server", "c.acme.orders.OrderService", "c.acme.stock.Inventory", "c.acme.http.Access"};
        Random random = new Random(7);
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            long written = 0;
            long millis = 1_795_000_000_000L;
            while (written < size) {
                millis += random.nextInt(40);
                String line = String.format(Locale.ROOT, "%s %s [worker-%d] %s - order %d: %d items, %d ms%n",
                        java.time.Instant.ofEpochMilli(millis), levels[random.nextInt(levels.length)], random.nextInt(16),
                        names[random.nextInt(names.length)], 100_000 + random.nextInt(900_000), 1 + random.nextInt(20),
                        random.nextInt(500));
                out.write(line);
                written += line.length();
            }
        }
    }

    private BrowserPath() {}
}
