package devicetunnel.relay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What recording a session costs: terminal throughput and keystroke p99 of a recorded session
 * against an unrecorded one, side by side in the same run (the device's policy is switched between
 * the two opens), and the bytes a recording stores (cast plus searchable transcript) per hour of an
 * interactive session: typed commands with their output, then a screen redrawn every second as
 * top does, for a fixed time, extrapolated to an hour.
 */
final class RecordingOverhead {
    static final String FIGURE = "recording";

    static void run(BenchRig rig, BenchOptions options, Path dir, Report report) throws Exception {
        rig.setRecording("off");
        try (RelayTerminal plain = rig.relayTerminal(120, 40)) {
            rig.setRecording("on");
            try (RelayTerminal recorded = rig.relayTerminal(120, 40)) {
                plain.session().get(30, TimeUnit.SECONDS);
                recorded.session().get(30, TimeUnit.SECONDS);
                throughput(plain, recorded, options, dir, report);
                latency(plain, recorded, options, report);
            }
            storage(rig, options, report);
        } finally {
            rig.setRecording("off");
        }
    }

    private static void throughput(RelayTerminal plain, RelayTerminal recorded, BenchOptions options, Path dir,
                                   Report report) throws Exception {
        long size = (long) options.pick(16, 32) * 1024 * 1024;
        int runs = options.pick(1, 3);
        Path file = dir.resolve("recording.txt");
        TerminalThroughput.writeText(file, size);
        String command = "cat " + file + "; echo D$((1+1))NE";
        TerminalThroughput.once(plain, command); // warm-up
        TerminalThroughput.once(recorded, command);
        double[] off = new double[runs];
        double[] on = new double[runs];
        for (int i = 0; i < runs; i++) {
            off[i] = TerminalThroughput.once(plain, command);
            on[i] = TerminalThroughput.once(recorded, command);
        }
        double value = Stats.median(on);
        double baseline = Stats.median(off);
        report.add(new Report.Row(FIGURE, "terminal throughput, recorded", value, "MB/s", baseline,
                ">= 0.9x unrecorded", value >= 0.9 * baseline,
                "baseline: an unrecorded session in the same run; median of " + runs + " cats of "
                        + size / (1024 * 1024) + " MiB"));
        Files.deleteIfExists(file);
    }

    private static void latency(RelayTerminal plain, RelayTerminal recorded, BenchOptions options, Report report)
            throws Exception {
        int keys = options.pick(500, 2_000);
        int warmup = options.pick(200, 500);
        plain.enterEchoMode(BenchRig.TIMEOUT);
        recorded.enterEchoMode(BenchRig.TIMEOUT);
        KeystrokeLatency.measure(plain, warmup);
        KeystrokeLatency.measure(recorded, warmup);
        Stats off = new Stats();
        Stats on = new Stats();
        int chunk = 100; // interleaved, so both see the same moments of the machine
        for (int done = 0; done < keys; done += chunk) {
            off.addAll(KeystrokeLatency.measure(plain, chunk));
            on.addAll(KeystrokeLatency.measure(recorded, chunk));
        }
        double p99 = on.percentileMillis(99);
        double base99 = off.percentileMillis(99);
        report.add(new Report.Row(FIGURE, "echo p99, recorded", p99, "ms", base99, "added <= 1 ms", p99 - base99 <= 1.0,
                keys + " keys each, interleaved in chunks of " + chunk));
    }

    /** A recorded session doing typical interactive work for a while; the recording's files, scaled to an hour. */
    private static void storage(BenchRig rig, BenchOptions options, Report report) throws Exception {
        int seconds = options.pick(20, 120);
        long start = System.nanoTime();
        try (RelayTerminal term = rig.relayTerminal(120, 40)) {
            term.session().get(30, TimeUnit.SECONDS);
            int third = seconds / 3;
            // A third typing commands at about 5 keys a second and reading their output...
            String[] commands = {"ls -la /etc | head -40", "cat /etc/os-release", "ps -ef | head -30", "df -h", "uname -a"};
            long typingEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(third);
            for (int i = 0; System.nanoTime() < typingEnd; i++) {
                String marker = "M" + i + "$((1))K";
                for (char c : (commands[i % commands.length] + "; echo " + marker).toCharArray()) {
                    term.type(new byte[] {(byte) c});
                    Thread.sleep(200); // the typist's pace is the workload, not a wait for a condition
                }
                term.run("", "M" + i + "1K", Duration.ofSeconds(30));
            }
            // ...then a full-screen program redrawing a 120x40 screen every second, as top does.
            int redraws = seconds - third;
            term.run("for i in $(seq 1 " + redraws + "); do printf '\\033[H\\033[2J'; date; "
                    + "ps -eo pid,user,pri,ni,vsz,rss,stat,pcpu,pmem,time,comm --sort=-pcpu | head -38; sleep 1; done; "
                    + "echo T$((2+2))P", "T4P", Duration.ofSeconds(redraws + 60L));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        String id = rig.lastRecordingId();
        long cast = sizeOf(rig.recordingsDir(), id + ".cast.gz");
        long text = sizeOf(rig.recordingsDir(), id + ".txt.gz");
        double perHour = (cast + text) * 3600 / elapsed / 1e6;
        report.add(new Report.Row(FIGURE, "stored per hour of interactive use", perHour, "MB", null, null, null,
                String.format(java.util.Locale.ROOT, "%.0f s of typing then top-like redraws: cast %d B + text %d B",
                        elapsed, cast, text)));
    }

    private static long sizeOf(Path dir, String name) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            Path file = files.filter(p -> p.getFileName().toString().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException(name + " not found under " + dir));
            return Files.size(file);
        }
    }

    private RecordingOverhead() {}
}
