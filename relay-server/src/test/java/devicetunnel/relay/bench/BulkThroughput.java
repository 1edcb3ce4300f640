package devicetunnel.relay.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * Bulk throughput: {@code cat} of a file over an exec channel without a PTY, device -> relay, read
 * by the relay's SSH client through the device stream; baseline: the same client code straight to
 * the agent's SSH server. Runs alternate between the two so drift hits both alike.
 */
final class BulkThroughput {
    private static final double MIB = 1024 * 1024;

    static void run(BenchRig rig, BenchOptions options, Path dir, Report report) throws Exception {
        long size = (long) options.pick(32, 256) * 1024 * 1024;
        int runs = options.pick(1, 5);
        Path file = dir.resolve("bulk.bin");
        writeFile(file, size);
        String command = "cat " + file;
        for (int i = 0; i < options.pick(1, 3); i++) { // warm both paths: JIT, ciphers, page cache
            once(rig::directSsh, command, size);
            once(rig::relaySsh, command, size);
        }
        double[] direct = new double[runs];
        double[] relayed = new double[runs];
        for (int i = 0; i < runs; i++) {
            direct[i] = once(rig::directSsh, command, size);
            relayed[i] = once(rig::relaySsh, command, size);
        }
        double baseline = Stats.median(direct);
        double value = Stats.median(relayed);
        String note = String.format(java.util.Locale.ROOT, "median of %d runs of %d MiB; relay runs %s, direct runs %s",
                runs, size / (1024 * 1024), java.util.Arrays.toString(relayed), java.util.Arrays.toString(direct));
        report.add(new Report.Row("bulk throughput", "relay -> device exec cat", value, "MiB/s", baseline,
                ">= 200 MiB/s and >= 0.8 x", value >= 200 && value >= 0.8 * baseline, note));
        Files.deleteIfExists(file);
    }

    /** One transfer; returns MiB/s measured from opening the channel to its close. */
    private static double once(Callable<ClientSession> connect, String command, long expected) throws Exception {
        try (ClientSession session = connect.call()) {
            AtomicLong received = new AtomicLong();
            try (ChannelExec channel = session.createExecChannel(command)) {
                channel.setOut(new OutputStream() {
                    @Override
                    public void write(int b) {
                        received.incrementAndGet();
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        received.addAndGet(len);
                    }
                });
                channel.setErr(OutputStream.nullOutputStream());
                long start = System.nanoTime();
                channel.open().verify(BenchRig.TIMEOUT);
                channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), BenchRig.TIMEOUT.toMillis() * 4);
                long nanos = System.nanoTime() - start;
                if (received.get() != expected) {
                    throw new IllegalStateException("bulk copy got " + received.get() + " of " + expected + " bytes");
                }
                return expected / MIB / (nanos / 1e9);
            }
        }
    }

    private static void writeFile(Path file, long size) throws IOException {
        byte[] block = new byte[1024 * 1024];
        new java.util.Random(7).nextBytes(block); // incompressible, though no one compresses here
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long written = 0; written < size; written += block.length) {
                out.write(block);
            }
        }
    }

    private BulkThroughput() {}
}
