package devicetunnel.relay.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Terminal throughput: a shell {@code cat}s a text file on the PTY; the bytes delivered to an
 * acknowledging websocket client per second. Baseline: the same shell over SSH without the relay.
 */
final class TerminalThroughput {
    private static final double MB = 1_000_000;

    static void run(BenchRig rig, BenchOptions options, Path dir, Report report) throws Exception {
        long size = (long) options.pick(16, 32) * 1024 * 1024;
        int runs = options.pick(1, 3);
        Path file = dir.resolve("terminal.txt");
        writeText(file, size);
        String command = "cat " + file + "; echo D$((1+1))NE";
        double[] relayed = new double[runs];
        double[] direct = new double[runs];
        try (RelayTerminal viaRelay = rig.relayTerminal(120, 40);
             DirectTerminal straight = rig.directTerminal(120, 40)) {
            viaRelay.session().get(30, TimeUnit.SECONDS);
            once(straight, command); // warm-up
            once(viaRelay, command);
            for (int i = 0; i < runs; i++) {
                direct[i] = once(straight, command);
                relayed[i] = once(viaRelay, command);
            }
        }
        double value = Stats.median(relayed);
        report.add(new Report.Row("terminal throughput", "PTY output to acking ws client", value, "MB/s",
                Stats.median(direct), ">= 20 MB/s", value >= 20,
                "median of " + runs + " cats of " + size / (1024 * 1024) + " MiB of text (PTY adds \\r per line)"));
        Files.deleteIfExists(file);
    }

    private static double once(Terminal terminal, String command) throws Exception {
        long before = terminal.output().received();
        long nanos = terminal.run(command, "D2NE", Duration.ofSeconds(120));
        return (terminal.output().received() - before) / MB / (nanos / 1e9);
    }

    /** Base64 lines: printable, like logs, so the terminal path does its ordinary work. */
    static void writeText(Path file, long size) throws IOException {
        byte[] raw = new byte[57 * 1024];
        new Random(11).nextBytes(raw);
        String block = Base64.getMimeEncoder(76, "\n".getBytes()).encodeToString(raw) + "\n";
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (long written = 0; written < size; written += block.length()) {
                out.write(block);
            }
        }
    }

    private TerminalThroughput() {}
}
