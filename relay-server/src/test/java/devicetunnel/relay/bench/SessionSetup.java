package devicetunnel.relay.bench;

import java.util.concurrent.TimeUnit;

/**
 * Session setup: from the browser opening the terminal websocket to the shell's first output (the
 * prompt), on a warm relay; the very first session after the relay started is reported apart.
 * Baseline: direct SSH connect + auth + shell channel + first output.
 */
final class SessionSetup {
    static void run(BenchRig rig, BenchOptions options, Report report) throws Exception {
        int sessions = options.pick(5, 20);
        double first = relayOnce(rig) / 1e6;
        // "Warm" means the JIT has seen a few sessions on both paths; the first ones are not compared.
        for (int i = 0; i < options.pick(3, 20); i++) {
            directOnce(rig);
            relayOnce(rig);
        }
        Stats relayed = new Stats();
        Stats direct = new Stats();
        for (int i = 0; i < sessions; i++) {
            direct.add(directOnce(rig));
            relayed.add(relayOnce(rig));
        }
        double warm = relayed.percentileMillis(50);
        report.add(new Report.Row("session setup", "first session after start", first, "ms", null,
                "<= 400 ms", first <= 400, "first terminal session of this JVM (classes load, JIT cold)"));
        report.add(new Report.Row("session setup", "warm p50 via relay", warm, "ms", direct.percentileMillis(50),
                "<= 50 ms", warm <= 50, "p50 of " + sessions + " after " + options.pick(3, 20) + " warm-up sessions per path; p99 " + Report.format(relayed.percentileMillis(99)) + " ms"));
    }

    private static long relayOnce(BenchRig rig) throws Exception {
        long start = System.nanoTime();
        try (RelayTerminal terminal = rig.relayTerminal(80, 24)) {
            return terminal.output().firstOutput().get(30, TimeUnit.SECONDS) - start;
        }
    }

    private static long directOnce(BenchRig rig) throws Exception {
        long start = System.nanoTime();
        try (DirectTerminal terminal = rig.directTerminal(80, 24)) {
            return terminal.output().firstOutput().get(30, TimeUnit.SECONDS) - start;
        }
    }

    private SessionSetup() {}
}
