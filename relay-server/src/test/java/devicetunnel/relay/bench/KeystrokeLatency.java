package devicetunnel.relay.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Keystroke latency: one byte typed, its echo back, one at a time, through the browser websocket;
 * baseline: the same over SSH without the relay. The PTY is put in non-canonical mode with kernel
 * echo, so the round trip measures the transport, not a shell's line editor.
 */
final class KeystrokeLatency {
    static final String FIGURE = "keystroke latency";

    /** Returns the relay's p99 in milliseconds (the "idle relay" baseline of the concurrent figure). */
    static double run(BenchRig rig, BenchOptions options, Report report) throws Exception {
        int keys = options.pick(500, 2_000);
        int warmup = options.pick(200, 500);
        Stats relayed;
        Stats direct;
        try (RelayTerminal viaRelay = rig.relayTerminal(80, 24);
             DirectTerminal straight = rig.directTerminal(80, 24)) {
            viaRelay.session().get(30, TimeUnit.SECONDS);
            viaRelay.enterEchoMode(BenchRig.TIMEOUT);
            straight.enterEchoMode(BenchRig.TIMEOUT);
            measure(straight, warmup);
            measure(viaRelay, warmup);
            direct = measure(straight, keys);
            relayed = measure(viaRelay, keys);
        }
        double p50 = relayed.percentileMillis(50);
        double p99 = relayed.percentileMillis(99);
        double base50 = direct.percentileMillis(50);
        double base99 = direct.percentileMillis(99);
        report.add(new Report.Row(FIGURE, "echo p50 via relay", p50, "ms", base50,
                "added <= 1 ms", p50 - base50 <= 1.0, null));
        report.add(new Report.Row(FIGURE, "echo p99 via relay", p99, "ms", base99,
                "added <= 5 ms", p99 - base99 <= 5.0, keys + " keys after " + warmup + " warm-up keys"));
        return p99;
    }

    static Stats measure(Terminal terminal, int keys) throws Exception {
        Stats stats = new Stats();
        byte[] key = {'k'};
        Duration timeout = Duration.ofSeconds(10);
        for (int i = 0; i < keys; i++) {
            terminal.output().drainChunks();
            long start = System.nanoTime();
            terminal.type(key);
            if (!terminal.output().awaitChunk(timeout.toMillis())) {
                throw new IllegalStateException("no echo within " + timeout);
            }
            stats.add(System.nanoTime() - start);
        }
        return stats;
    }

    private KeystrokeLatency() {}
}
