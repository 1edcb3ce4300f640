package devicetunnel.relay.bench;

import static org.awaitility.Awaitility.await;

import devicetunnel.relay.support.ChildCluster;
import devicetunnel.relay.support.KeystrokeEcho;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TerminalClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cluster, session setup: two relays (child JVMs, full JIT) on PostgreSQL and NATS, two agents linked
 * to relay B. Terminal setups are timed in rounds, each round one setup per path so load swings hit
 * all alike: on B itself (the baseline), through sibling A with the stream going straight to A, and
 * through A for a device that may reach only B (stream to B, carried to A). Warm-up rounds first.
 */
final class ClusterSetup {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> RELAY_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");

    static void run(BenchOptions options, Path dir, Report report) throws Exception {
        int warmUp = options.pick(2, 10);
        int rounds = options.pick(5, 40);
        int keys = options.pick(20, 100);
        try (ChildCluster cluster = ClusterFigures.cluster(dir, Duration.ofSeconds(15))) {
            // Hundreds of sessions from one operator and address in a few minutes: lift the open rate.
            RelayProcess a = cluster.relay("relay-a", RELAY_JVM, "--session-rate", "100000");
            RelayProcess b = cluster.relay("relay-b", RELAY_JVM, "--session-rate", "100000");
            cluster.agent(b.baseUrl(), "dev-direct");
            cluster.agent(b.baseUrl().replace("127.0.0.1", "localhost"), "dev-lb", "--stream-hosts", "localhost");
            String token = RelayProcess.adminToken(a.baseUrl());
            for (String device : List.of("dev-direct", "dev-lb")) {
                await().atMost(WAIT).until(() -> ChildCluster.online(a.baseUrl(), token, device));
            }
            List<double[]> same = new ArrayList<>();
            List<double[]> sibling = new ArrayList<>();
            List<double[]> carried = new ArrayList<>();
            for (int i = 0; i < warmUp + rounds; i++) {
                double[] s = setup(b.baseUrl(), token, "dev-direct", i);
                double[] x = setup(a.baseUrl(), token, "dev-direct", i);
                double[] c = setup(a.baseUrl(), token, "dev-lb", i);
                if (i >= warmUp) {
                    same.add(s);
                    sibling.add(x);
                    carried.add(c);
                }
            }
            List<Double> echoSame = echoes(b.baseUrl(), token, "dev-direct", keys);
            List<Double> echoSibling = echoes(a.baseUrl(), token, "dev-direct", keys);
            List<Double> echoCarried = echoes(a.baseUrl(), token, "dev-lb", keys);

            double sameEcho = median(same, 1);
            double siblingEcho = median(sibling, 1);
            double ratio = siblingEcho / sameEcho;
            String runs = String.format(Locale.ROOT, "median of %d interleaved rounds after %d warm-up", rounds, warmUp);
            report.add(new Report.Row("cluster setup", "via sibling: to first echo", siblingEcho, "ms", sameEcho,
                    "<= 1.2x same relay", ratio <= 1.2, runs + "; baseline = on the relay holding the link"));
            report.add(new Report.Row("cluster setup", "via sibling: to session message", median(sibling, 0), "ms",
                    median(same, 0), null, null, runs));
            report.add(new Report.Row("cluster setup", "carried via link relay: to echo", median(carried, 1), "ms",
                    siblingEcho, null, null, "device may reach only its own relay; baseline = stream straight to the sibling"));
            report.add(new Report.Row("cluster setup", "keystroke echo p50 via sibling", KeystrokeEcho.percentile(echoSibling, 50),
                    "ms", KeystrokeEcho.percentile(echoSame, 50), null, null, String.format(Locale.ROOT,
                    "%d keys; p99 %.2f ms vs %.2f ms", keys, KeystrokeEcho.percentile(echoSibling, 99), KeystrokeEcho.percentile(echoSame, 99))));
            report.add(new Report.Row("cluster setup", "keystroke echo p50 carried", KeystrokeEcho.percentile(echoCarried, 50),
                    "ms", KeystrokeEcho.percentile(echoSibling, 50), null, null, String.format(Locale.ROOT,
                    "%d keys; p99 %.2f ms vs %.2f ms straight to the sibling", keys,
                    KeystrokeEcho.percentile(echoCarried, 99), KeystrokeEcho.percentile(echoSibling, 99))));
        }
    }

    /** Milliseconds from the websocket connect to the session message, and to a command's output. */
    private static double[] setup(String relayUrl, String token, String device, int i) throws Exception {
        long start = System.nanoTime();
        try (TerminalClient term = TerminalClient.connect(ChildCluster.terminal(relayUrl, device), token)) {
            term.awaitSessionId(WAIT);
            double session = (System.nanoTime() - start) / 1e6;
            term.type("echo ready-$((40+" + i + "))\r");
            term.awaitOutput(TerminalClient.hasLine("ready-" + (40 + i)), WAIT);
            double echo = (System.nanoTime() - start) / 1e6;
            term.type("exit\r"); // a detached shell would hold a session slot
            term.awaitClose(WAIT);
            return new double[] {session, echo};
        }
    }

    private static List<Double> echoes(String relayUrl, String token, String device, int keys) throws Exception {
        try (TerminalClient term = TerminalClient.connect(ChildCluster.terminal(relayUrl, device), token)) {
            term.type("echo go-$((1+1))\r");
            term.awaitOutput(TerminalClient.hasLine("go-2"), WAIT);
            List<Double> times = KeystrokeEcho.sortedMillis(term, keys, WAIT);
            term.type("exit\r");
            term.awaitClose(WAIT);
            return times;
        }
    }

    private static double median(List<double[]> runs, int column) {
        List<Double> values = new ArrayList<>();
        runs.forEach(r -> values.add(r[column]));
        values.sort(null);
        return values.get(values.size() / 2);
    }

    private ClusterSetup() {}
}
