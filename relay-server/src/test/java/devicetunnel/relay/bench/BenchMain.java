package devicetunnel.relay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code make bench}: starts a relay and an agent on loopback and measures each figure against a
 * baseline taken in the same run (direct SSH, or the relay at rest), prints one table and writes it
 * as JSON. Options: {@code --quick} (smoke run, under a minute), {@code --only=a,b},
 * {@code --out=DIR} (default target/bench), {@code --idle-devices=N}, {@code --sessions=N},
 * {@code --flooders=N}, {@code --cluster-devices=N} (failover), {@code --cluster-idle-devices=N}
 * (spread over three relays). The cluster figures need PostgreSQL and NATS; {@code --quick} runs
 * them only when named in {@code --only}.
 */
public final class BenchMain {
    private interface Figure {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Report report = new Report();
        report.limit("mode", options.quick() ? "quick" : "full");
        report.limit("cores", Runtime.getRuntime().availableProcessors());
        report.limit("open files (soft/hard)", ProcStats.openFilesLimit());
        report.limit("bench JVM max heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        report.limit("java", System.getProperty("java.vm.version"));
        report.limit("load average at start", ProcStats.loadAverage());
        System.out.println("device-tunnel bench (" + (options.quick() ? "quick" : "full") + "), limits " + ProcStats.openFilesLimit()
                + " open files, " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB heap");
        Path work = Files.createTempDirectory("dt-bench");
        long start = System.nanoTime();
        boolean failed = false;
        try {
            boolean needsRig = Stream.of("setup", "bulk", "terminal", "latency", "recording", "concurrent", "flood", "files").anyMatch(options::runs);
            if (needsRig) {
                // The first session after start is measured first, before anything warms the JVM.
                try (BenchRig rig = new BenchRig(work.resolve("rig"))) {
                    double[] idleP99 = {Double.NaN};
                    failed |= figure(options, "setup", report, () -> SessionSetup.run(rig, options, report));
                    failed |= figure(options, "bulk", report, () -> BulkThroughput.run(rig, options, work, report));
                    failed |= figure(options, "terminal", report, () -> TerminalThroughput.run(rig, options, work, report));
                    failed |= figure(options, "latency", report, () -> idleP99[0] = KeystrokeLatency.run(rig, options, report));
                    failed |= figure(options, "recording", report, () -> RecordingOverhead.run(rig, options, work, report));
                    failed |= figure(options, "concurrent", report,
                            () -> ConcurrentSessions.run(rig, options, idleP99[0], report));
                    failed |= figure(options, "flood", report, () -> StalledFlood.run(rig, options, report));
                    failed |= figure(options, "files", report, () -> FileRoutes.run(rig, options, work, report));
                }
            }
            failed |= figure(options, "browser", report, () -> BrowserPath.run(options, work.resolve("browser"), report));
            failed |= figure(options, "agent", report, () -> AgentFootprint.run(options, work.resolve("agent"), report));
            failed |= figure(options, "idle", report, () -> IdleDevices.run(options, work.resolve("idle"), report));
            // Cluster figures need PostgreSQL (127.0.0.1:5432, db test) and NATS (127.0.0.1:4222).
            failed |= figure(options, "cluster-setup", report, () -> ClusterSetup.run(options, work.resolve("cluster-setup"), report));
            failed |= figure(options, "cluster-failover", report,
                    () -> ClusterFailover.run(options, work.resolve("cluster-failover"), report));
            failed |= figure(options, "cluster-idle", report, () -> ClusterIdle.run(options, work.resolve("cluster-idle"), report));
        } finally {
            report.limit("load average at end", ProcStats.loadAverage());
            report.limit("elapsed seconds", Math.round((System.nanoTime() - start) / 1e9));
            report.print(System.out);
            Path json = report.write(options.out(), options.quick());
            System.out.printf(Locale.ROOT, "%nwrote %s in %.0f s%n", json, (System.nanoTime() - start) / 1e9);
            if (failed) {
                System.out.println("kept " + work + " for the failed figures' logs");
            } else {
                deleteTree(work);
            }
        }
        System.exit(failed ? 1 : 0);
    }

    /** Runs one figure if selected; a failure is reported as a row and does not stop the others. */
    private static boolean figure(BenchOptions options, String name, Report report, Figure figure) {
        if (!options.runs(name)) {
            return false;
        }
        long start = System.nanoTime();
        System.out.println("[" + name + "]");
        try {
            figure.run();
            System.out.printf(Locale.ROOT, "  (%.1f s)%n", (System.nanoTime() - start) / 1e9);
            return false;
        } catch (Exception e) {
            e.printStackTrace();
            report.add(new Report.Row(name, "FAILED", Double.NaN, "", null, null, false, e.toString()));
            return true;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private BenchMain() {}
}
