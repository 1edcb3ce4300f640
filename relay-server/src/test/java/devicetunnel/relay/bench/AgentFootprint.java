package devicetunnel.relay.bench;

import devicetunnel.relay.bench.ShippedAgent.Launch;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent's footprint as shipped: the package's launcher (its JVM options and its class-data
 * sharing archive, in a cache directory as the unit's {@code CacheDirectory=}) runs the shaded jar
 * against a relay in this JVM. Start to online (process start until the relay lists the device),
 * resident memory idle and while 4 terminal sessions print at full speed (the peak, sampled from
 * /proc), and what those sessions delivered. Baselines in the same run, alternating: the launcher
 * without a cache directory (its options, no archive: what shipped before the archive) and a plain
 * {@code java -jar} (the JVM's defaults). {@code BENCH_AGENT_EXTRA_OPTS} adds JVM options to all
 * (e.g. GC logging). {@code BENCH_AGENT_NMT=1} adds native memory tracking to all and writes
 * {@code jcmd} native memory summaries, heap info, class histograms and thread dumps at idle and at
 * the flood's end to the output directory.
 */
final class AgentFootprint {
    static final String FIGURE = "agent footprint";
    private static final String DEVICE = "footprint-device";
    private static final int FLOODERS = 4;
    private static final double MIB = 1024;

    private record Sample(String name, double onlineMillis, long idleKiB, long floodKiB, long afterKiB,
                          int idleThreads, int floodThreads, double floodMBps) {}

    static void run(BenchOptions options, Path dir, Report report) throws Exception {
        Files.createDirectories(dir);
        boolean nmt = "1".equals(System.getenv("BENCH_AGENT_NMT"));
        String extra = (nmt ? "-XX:NativeMemoryTracking=summary " : "") + System.getenv().getOrDefault("BENCH_AGENT_EXTRA_OPTS", "");
        ShippedAgent shipped = ShippedAgent.layOut(dir.resolve("pkg"));
        Path text = dir.resolve("flood.txt");
        TerminalThroughput.writeText(text, 8L * 1024 * 1024);
        try (TestRelay relay = new TestRelay(dir.resolve("relay"), config -> config.withPingInterval(Duration.ofSeconds(25))
                // Full speed means full speed: on this busy machine the relay would otherwise pace the floods.
                .withSessions(config.sessions().withInteractivePriority(false))
                // The same agent reconnects every few seconds here: connection rates are not what is measured.
                .withHardening(config.hardening().withNetwork(config.hardening().network().withRates(1_000_000, 1_000_000))))) {
            Path token = relay.tokenFile(relay.enrollmentToken(false, true, Map.of()));
            List<String> args = List.of("--relay", relay.baseUrl(), "--device-id", DEVICE, "--state-dir",
                    dir.resolve("agent-state").toString(), "--enrollment-token-file", token.toString());
            // The first start enrolls, warms the page cache and records the class-data archive when it stops, as
            // a device's first start does; what a device does at every later boot is measured after.
            Process first = shipped.start(Launch.LAUNCHER_CDS, extra, args, dir.resolve("agent-enroll.log"));
            awaitOnline(relay, first, Duration.ofSeconds(60));
            stop(first);
            relay.awaitOnline(DEVICE, false, Duration.ofSeconds(30));
            // The next start checks the recorded archive once (a JVM of its own) before using it: done here, not timed.
            Process check = shipped.start(Launch.LAUNCHER_CDS, extra, List.of("--version"), dir.resolve("agent-check.log"));
            if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
                throw new IllegalStateException("device-agent --version failed: see " + dir.resolve("agent-check.log"));
            }
            List<Path> archives = shipped.archives();
            if (archives.size() != 1 || !archives.get(0).toString().endsWith(".jsa")) {
                throw new IllegalStateException("the launcher left no checked class-data archive: " + archives);
            }
            long archiveBytes = Files.size(archives.get(0));

            String adminToken = relay.adminToken();
            int rounds = options.pick(1, 2);
            Map<Launch, List<Sample>> samples = new EnumMap<>(Launch.class);
            List<Launch> order = new ArrayList<>(List.of(Launch.values()));
            for (int i = 0; i < rounds; i++) { // rotating, so none always runs right after another
                for (Launch launch : order) {
                    samples.computeIfAbsent(launch, l -> new ArrayList<>())
                            .add(measure(launch, relay, adminToken, shipped, nmt, extra, args, text, options, dir));
                }
                Collections.rotate(order, 1);
            }
            Sample a = best(samples.get(Launch.LAUNCHER_CDS));
            Sample b = best(samples.get(Launch.LAUNCHER));
            Sample p = best(samples.get(Launch.PLAIN_JAVA));
            String how = String.format(Locale.ROOT, "rounds %d (best of each); archive %.1f MiB", rounds, archiveBytes / MIB / MIB);
            report.add(new Report.Row(FIGURE, "start to online", a.onlineMillis(), "ms", b.onlineMillis(), "<= 1500 ms",
                    a.onlineMillis() <= 1500, "process start -> relay lists the device (enrolled before); launcher with "
                            + "class-data archive vs the launcher without; " + how));
            report.add(new Report.Row(FIGURE, "start to online vs plain java -jar", a.onlineMillis(), "ms", p.onlineMillis(),
                    null, null, "the launcher with its archive vs `java -jar device-agent.jar` (JVM defaults)"));
            report.add(new Report.Row(FIGURE, "RSS idle", a.idleKiB() / MIB, "MiB", b.idleKiB() / MIB, "<= 48 MiB",
                    a.idleKiB() <= 48 * 1024, String.format(Locale.ROOT, "%d s after online; %d threads (without archive %d)",
                            settleSeconds(options), a.idleThreads(), b.idleThreads())));
            report.add(new Report.Row(FIGURE, "RSS idle vs plain java -jar", a.idleKiB() / MIB, "MiB", p.idleKiB() / MIB,
                    null, null, "the launcher with its archive vs `java -jar device-agent.jar` (JVM defaults)"));
            report.add(new Report.Row(FIGURE, "RSS, 4 sessions printing", a.floodKiB() / MIB, "MiB", b.floodKiB() / MIB,
                    "<= 96 MiB", a.floodKiB() <= 96 * 1024, String.format(Locale.ROOT,
                            "peak over %d s of 4 `cat` loops; %d threads; RSS idle again %.1f MiB (without archive %.1f, "
                                    + "plain java -jar %.1f; plain java -jar printing %.1f)",
                            floodSeconds(options), a.floodThreads(), a.afterKiB() / MIB, b.afterKiB() / MIB,
                            p.afterKiB() / MIB, p.floodKiB() / MIB)));
            report.add(new Report.Row(FIGURE, "4 sessions' output", a.floodMBps(), "MB/s", b.floodMBps(), null, null,
                    String.format(Locale.ROOT, "all 4 together, to acking ws clients (plain java -jar %.1f MB/s): "
                            + "the options must not cost throughput", p.floodMBps())));
        }
    }

    private static Sample measure(Launch launch, TestRelay relay, String adminToken, ShippedAgent shipped,
                                  boolean nmt, String extra, List<String> args, Path text, BenchOptions options, Path dir) throws Exception {
        String name = launch.name().toLowerCase(Locale.ROOT).replace('_', '-');
        Process agent = shipped.start(launch, extra, args, dir.resolve("agent-" + name + ".log"));
        try {
            long start = System.nanoTime();
            awaitOnline(relay, agent, Duration.ofSeconds(60));
            double onlineMillis = (System.nanoTime() - start) / 1e6;
            TimeUnit.SECONDS.sleep(settleSeconds(options)); // idle: what a device does between sessions
            long idle = ProcStats.rssKiB(agent.pid());
            int idleThreads = ProcStats.threads(agent.pid());
            if (nmt) {
                ProcStats.diagnose(agent.pid(), options.out().resolve("agent-" + name + "-idle"));
            }
            List<RelayTerminal> terminals = new ArrayList<>();
            long peak = 0;
            int floodThreads;
            double mbps;
            try {
                for (int i = 0; i < FLOODERS; i++) {
                    RelayTerminal t = RelayTerminal.open(relay.http(),
                            relay.ws("/api/v1/devices/" + DEVICE + "/terminal?cols=120&rows=40"), adminToken);
                    t.session().get(30, TimeUnit.SECONDS);
                    terminals.add(t);
                }
                for (RelayTerminal t : terminals) {
                    t.type("while :; do cat " + text + "; done\r");
                }
                long received0 = received(terminals);
                long floodStart = System.nanoTime();
                long end = floodStart + TimeUnit.SECONDS.toNanos(floodSeconds(options));
                while (System.nanoTime() < end) {
                    peak = Math.max(peak, ProcStats.rssKiB(agent.pid()));
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                mbps = (received(terminals) - received0) / 1e6 / ((System.nanoTime() - floodStart) / 1e9);
                floodThreads = ProcStats.threads(agent.pid());
                if (nmt) {
                    ProcStats.diagnose(agent.pid(), options.out().resolve("agent-" + name + "-flood"));
                }
            } finally {
                for (RelayTerminal t : terminals) {
                    t.close();
                }
            }
            TimeUnit.SECONDS.sleep(settleSeconds(options));
            long afterwards = ProcStats.rssKiB(agent.pid());
            System.out.printf(Locale.ROOT, "  %s: online %.0f ms, RSS idle %.1f MiB, flood peak %.1f MiB, after %.1f MiB, %.1f MB/s%n",
                    name, onlineMillis, idle / MIB, peak / MIB, afterwards / MIB, mbps);
            return new Sample(name, onlineMillis, idle, peak, afterwards, idleThreads, floodThreads, mbps);
        } finally {
            stop(agent);
            relay.awaitOnline(DEVICE, false, Duration.ofSeconds(30));
        }
    }

    /** The lowest start time and memory of the rounds (noise on a shared machine only ever adds). */
    private static Sample best(List<Sample> samples) {
        Sample s = samples.get(0);
        for (Sample o : samples) {
            s = new Sample(s.name(), Math.min(s.onlineMillis(), o.onlineMillis()), Math.min(s.idleKiB(), o.idleKiB()),
                    Math.min(s.floodKiB(), o.floodKiB()), Math.min(s.afterKiB(), o.afterKiB()),
                    Math.min(s.idleThreads(), o.idleThreads()), Math.min(s.floodThreads(), o.floodThreads()),
                    Math.max(s.floodMBps(), o.floodMBps()));
        }
        return s;
    }

    private static long received(List<RelayTerminal> terminals) {
        long n = 0;
        for (RelayTerminal t : terminals) {
            n += t.output().received();
        }
        return n;
    }

    private static void awaitOnline(TestRelay relay, Process agent, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!relay.server().registry().isOnline(DEVICE)) {
            if (!agent.isAlive()) {
                throw new IllegalStateException("agent exited with " + agent.exitValue() + " before it came online");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("agent not online within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(2);
        }
    }

    private static void stop(Process agent) throws InterruptedException {
        agent.destroy(); // SIGTERM: what systemctl stop sends
        if (!agent.waitFor(20, TimeUnit.SECONDS)) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int settleSeconds(BenchOptions options) {
        return options.pick(4, 10); // the JIT's first bursts (compiler arenas) settle in a few seconds
    }

    private static int floodSeconds(BenchOptions options) {
        return options.pick(4, 8);
    }

    private AgentFootprint() {}
}
