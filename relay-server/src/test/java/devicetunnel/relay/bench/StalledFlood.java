package devicetunnel.relay.bench;

import static org.awaitility.Awaitility.await;

import devicetunnel.relay.RelayServer;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.support.TerminalClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Floods ({@code yes}, {@code base64} of random bytes) against browsers that stop acknowledging:
 * what the relay holds per stalled session (its counted buffers, and the heap after a full GC with
 * relay and agent in this JVM), and how soon Ctrl-C brings the prompt back in a flooding session.
 * FlowControlIT asserts the bounds; this figure gives the numbers.
 */
final class StalledFlood {
    static final String FIGURE = "stalled flood";
    /** The design bound per session (docs/ARCHITECTURE.md, flow control). */
    private static final long BOUND = 4L * 1024 * 1024;
    private static final double MIB = 1024.0 * 1024;

    static void run(BenchRig rig, BenchOptions options, Report report) throws Exception {
        heldPerStalledSession(rig, options.pick(3, 6), report);
        ctrlCDuringFlood(rig, options.pick(3, 10), report);
    }

    private static void heldPerStalledSession(BenchRig rig, int n, Report report) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        TerminalSessions.Settings settings = TerminalSessions.Settings.defaults();
        await().atMost(BenchRig.TIMEOUT).until(() -> rig.liveSessions() == 0);
        long before = usedHeapAfterGc(memory);
        List<TerminalClient> clients = new ArrayList<>();
        try {
            List<TerminalSession> sessions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TerminalClient c = rig.stallableTerminal();
                clients.add(c);
                c.setAutoAck(false);
                c.keepTail(4 * 1024);
                sessions.add(rig.session(c.awaitSessionId(BenchRig.TIMEOUT)));
                c.type("cat /dev/urandom | base64\r");
            }
            for (TerminalSession s : sessions) {
                await().atMost(BenchRig.TIMEOUT).until(() -> s.unacknowledged() >= settings.highWatermark()
                        && s.bufferUse().sshBuffered() >= RelayServer.SSH_WINDOW_BYTES / 2);
            }
            long heap = (usedHeapAfterGc(memory) - before) / n;
            long counted = sessions.stream().mapToLong(s -> s.bufferUse().total()).max().orElseThrow();
            report.add(new Report.Row(FIGURE, "relay buffers per stalled session", counted / MIB, "MiB", null,
                    "< 4 MiB", counted < BOUND, "the largest of " + n + " (ack window + send queue + SSH window)"));
            report.add(new Report.Row(FIGURE, "heap per stalled session", heap / MIB, "MiB", null, null, null,
                    "after a full GC, relay and agent in one JVM, " + n + " sessions"));
        } finally {
            clients.forEach(TerminalClient::close);
        }
    }

    private static void ctrlCDuringFlood(BenchRig rig, int rounds, Report report) throws Exception {
        Stats stats = new Stats();
        try (TerminalClient flood = rig.stallableTerminal()) {
            flood.keepTail(16 * 1024);
            flood.awaitSessionId(BenchRig.TIMEOUT);
            flood.type("PS1='READY> '\r");
            flood.awaitOutput(out -> out.endsWith("READY> "), BenchRig.TIMEOUT);
            for (int i = 0; i < rounds; i++) {
                long floodStart = flood.received();
                flood.type("yes\r");
                await().atMost(BenchRig.TIMEOUT).until(() -> flood.received() > floodStart + 8L * 1024 * 1024);
                long t0 = System.nanoTime();
                flood.type("\u0003");
                flood.awaitOutput(out -> out.contains("^C") && out.endsWith("READY> "), BenchRig.TIMEOUT);
                stats.add(System.nanoTime() - t0);
            }
        }
        report.add(new Report.Row(FIGURE, "Ctrl-C to prompt during flood p50", stats.percentileMillis(50), "ms", null,
                null, null, rounds + " rounds, each after 8 MiB of `yes`; includes draining what was in flight"));
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private StalledFlood() {}
}
