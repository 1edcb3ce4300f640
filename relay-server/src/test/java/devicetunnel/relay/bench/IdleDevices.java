package devicetunnel.relay.bench;

import devicetunnel.protocol.KeyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Idle devices: one relay JVM holding N control links from simulated agents in another JVM. Heap
 * (after a full GC) and RSS are compared with the same relay holding none; keepalive CPU is the
 * relay's CPU time over a window of two ping rounds while nothing else happens.
 */
final class IdleDevices {
    private static final String RELAY_HEAP = "-Xmx2g";

    static void run(BenchOptions options, Path dir, Report report) throws Exception {
        int devices = options.idleDevices();
        int pingSeconds = options.pick(3, 10);
        Files.createDirectories(dir);
        Path hostKeyFile = dir.resolve("device_ed25519");
        KeyFiles.loadOrCreate(hostKeyFile);
        report.limit("idle relay JVM", RELAY_HEAP + " G1");
        try (ChildJvm relay = new ChildJvm(IdleRelayMain.class, List.of(RELAY_HEAP, "-XX:+UseG1GC"),
                List.of(dir.resolve("relay").toString(), Integer.toString(devices), hostKeyFile.toString(),
                        Integer.toString(pingSeconds)), dir.resolve("relay.log"))) {
            int port = Integer.parseInt(relay.await("READY ", Duration.ofMinutes(3)));
            long heap0 = ProcStats.heapUsedAfterGcKiB(relay.pid());
            long rss0 = ProcStats.rssKiB(relay.pid());
            long start = System.nanoTime();
            try (ChildJvm agents = new ChildJvm(SimulatedAgentsMain.class, List.of("-Xmx3g", "-Xss256k"),
                    List.of("http://127.0.0.1:" + port, Integer.toString(devices), hostKeyFile.toString()),
                    dir.resolve("agents.log"))) {
                String done = agents.await("WELCOMED ", Duration.ofMinutes(4));
                double connectSeconds = (System.nanoTime() - start) / 1e9;
                relay.send("COUNT");
                int online = Integer.parseInt(relay.await("ONLINE ", Duration.ofSeconds(30)));
                long heapN = ProcStats.heapUsedAfterGcKiB(relay.pid());
                long rssN = ProcStats.rssKiB(relay.pid());

                long ticks0 = ProcStats.cpuTicks(relay.pid());
                long windowStart = System.nanoTime();
                TimeUnit.SECONDS.sleep(2L * pingSeconds); // the measurement window: two ping rounds
                double window = (System.nanoTime() - windowStart) / 1e9;
                double cpu = (ProcStats.cpuTicks(relay.pid()) - ticks0) / (double) ProcStats.clockTicksPerSecond() / window;
                relay.send("COUNT");
                int stillOnline = Integer.parseInt(relay.await("ONLINE ", Duration.ofSeconds(30)));

                double perDevice = online == 0 ? Double.NaN : (heapN - heap0) / (double) online;
                boolean full = !options.quick();
                report.add(new Report.Row("idle devices", "control links held", online, "links", null,
                        "15,000", full ? online >= 15_000 : null, String.format(Locale.ROOT,
                        "asked for %d (%s); connected in %.1f s; %d still online after %d s of pings",
                        devices, done, connectSeconds, stillOnline, 2 * pingSeconds)));
                report.add(new Report.Row("idle devices", "relay heap after GC", heapN / 1024.0, "MiB", heap0 / 1024.0,
                        null, null, "baseline = same relay with 0 devices"));
                report.add(new Report.Row("idle devices", "heap per device", perDevice, "KiB", null,
                        "<= 32 KiB", perDevice <= 32, String.format(Locale.ROOT,
                        "100k devices would need ~%.1f GiB", perDevice * 100_000 / 1024 / 1024)));
                report.add(new Report.Row("idle devices", "relay RSS", rssN / 1024.0, "MiB", rss0 / 1024.0,
                        null, null, String.format(Locale.ROOT, "%.1f KiB RSS per device",
                        online == 0 ? Double.NaN : (rssN - rss0) / (double) online)));
                report.add(new Report.Row("idle devices", "keepalive CPU", cpu * 100, "% core", null,
                        "<= 25% of a core", cpu <= 0.25, String.format(Locale.ROOT,
                        "ping every %d s over %.0f s; at the default 25 s interval ~%.1f%%",
                        pingSeconds, window, cpu * 100 * pingSeconds / 25)));
            }
        }
    }

    private IdleDevices() {}
}
