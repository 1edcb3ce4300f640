package devicetunnel.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.support.Balancer;
import devicetunnel.relay.support.ClusterServices;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.ResumingTerminal;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster of three relays (child JVMs, real PostgreSQL and NATS) behind a round-robin balancer
 * that the agents dial; operators talk to one relay each, as browsers do through the balancer.
 * kill -9 of the relay holding the device's link, kill -9 of the relay holding the operator's
 * terminal, and a rolling restart of all three: no shell ends, no device is lost.
 */
@Timeout(280) // under HangGuard's 5-minute halt
class ClusterFailoverIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final Duration LEASE = Duration.ofSeconds(3);
    /** AgentProcess starts agents with --reconnect-max 2s. */
    private static final Duration BACKOFF_CAP = Duration.ofSeconds(2);
    private static final List<String> IDS = List.of("relay-a", "relay-b", "relay-c");

    @TempDir
    Path dir;
    TestCluster cluster;
    Balancer balancer;

    @BeforeEach
    void natsUp() {
        ClusterServices.requireNats();
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void startCluster(String... extraArgs) throws Exception {
        cluster = new TestCluster(dir, ClusterServices.NATS_URL, LEASE);
        for (String id : IDS) {
            cluster.start(id, extraArgs);
        }
        balancer = cluster.add(new Balancer(cluster.ports()));
    }

    private String url(String id) {
        return cluster.relay(id).baseUrl();
    }

    /** The relay holding the device links, once {@code devices} links are up somewhere. */
    private String awaitHolder(int devices) {
        String[] holder = new String[1];
        await().atMost(WAIT).until(() -> {
            int total = 0;
            for (String id : IDS) {
                int held = TestCluster.linksHeld(url(id));
                if (held > 0) {
                    holder[0] = id;
                    total += held;
                }
            }
            return total == devices;
        });
        return holder[0];
    }

    @Test
    void killingTheRelayThatHoldsTheDeviceLinkKeepsTheShellAndTheDeviceComesBackOnASurvivor() throws Exception {
        startCluster();
        cluster.agent("dev-1", balancer.baseUrl());
        String holder = awaitHolder(1);
        String sessionRelay = other(holder);
        String token = TestCluster.login(url(sessionRelay));
        // The device dialled the balancer: sessions on the relay holding its link must still get their
        // stream there, not wherever the balancer sends it (three in a row: round robin would miss twice).
        for (int i = 0; i < IDS.size(); i++) {
            try (TerminalClient local = TerminalClient.connect(TestCluster.terminal(url(holder), "dev-1"), token)) {
                local.awaitSessionId(WAIT);
                local.type("echo local-$((40+" + i + "))\r");
                local.awaitOutput(TerminalClient.hasLine("local-" + (40 + i)), WAIT);
            }
        }

        try (ResumingTerminal term = ResumingTerminal.open(url(sessionRelay), "dev-1", token, WAIT)) {
            String pid = term.pid(WAIT);

            long killedAt = System.nanoTime();
            cluster.relay(holder).kill();
            List<String> survivors = IDS.stream().filter(id -> !id.equals(holder)).toList();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> survivors.stream().mapToInt(id -> TestCluster.linksHeld(url(id))).sum() == 1);
            Duration backOnline = Duration.ofNanos(System.nanoTime() - killedAt);
            assertThat(backOnline).isLessThanOrEqualTo(BACKOFF_CAP.plusSeconds(1));
            assertThat(TestCluster.online(url(sessionRelay), token, "dev-1")).isTrue();

            // The session's stream went straight to its own relay: the shell never noticed.
            term.type("echo after-$$-end\r");
            term.awaitOutput(TerminalClient.hasLine("after-" + pid + "-end"), WAIT);
            assertThat(term.controlTypes()).doesNotContain("error");
        }
    }

    @Test
    void killingTheRelayThatHoldsTheTerminalResumesItOnASiblingWithTheMissedOutputExactlyOnce() throws Exception {
        startCluster();
        cluster.agent("dev-1", balancer.baseUrl());
        String holder = awaitHolder(1);
        String sessionRelay = other(holder);
        String sibling = IDS.stream().filter(id -> !id.equals(holder) && !id.equals(sessionRelay)).findFirst().orElseThrow();
        String token = TestCluster.login(url(sessionRelay));

        try (ResumingTerminal term = ResumingTerminal.open(url(sessionRelay), "dev-1", token, WAIT)) {
            String pid = term.pid(WAIT);
            // Ticks printed before, during and after the relay's death: each must arrive exactly once.
            int ticks = 40;
            term.type("for i in $(seq 1 " + ticks + "); do echo tick-$i; sleep 0.1; done\r");
            term.awaitOutput(TerminalClient.hasLine("tick-3"), WAIT);

            cluster.relay(sessionRelay).kill();
            term.awaitDropped(WAIT);
            JsonNode hello = term.resumeOn(url(sibling), WAIT);
            assertThat(hello.get("resumedThroughDevice").asBoolean()).isTrue();
            assertThat(hello.get("offset").asLong()).isEqualTo(term.offset()); // replay starts where the browser stopped

            term.awaitOutput(TerminalClient.hasLine("tick-" + ticks), WAIT);
            term.type("echo again-$$-end\r");
            term.awaitOutput(TerminalClient.hasLine("again-" + pid + "-end"), WAIT);
            assertThat(term.controlTypes()).doesNotContain("gap", "error");
            String output = term.output();
            for (int i = 1; i <= ticks; i++) {
                assertThat(lineCount(output, "tick-" + i)).as("tick-%d", i).isEqualTo(1);
            }
            assertThat(lineCount(output, "pid-" + pid + "-end")).isEqualTo(1);
        }
    }

    @Test
    void aRollingRestartOfAllThreeRelaysEndsNoShellAndLosesNoDevice() throws Exception {
        startCluster("--drain-timeout", "2s");
        cluster.agent("dev-1", balancer.baseUrl());
        cluster.agent("dev-2", balancer.baseUrl());
        awaitHolder(2);
        String token = TestCluster.login(url("relay-a"));

        Map<ResumingTerminal, String> relayOf = new LinkedHashMap<>();
        List<ResumingTerminal> shells = new ArrayList<>();
        List<String> pids = new ArrayList<>();
        try {
            shells.add(ResumingTerminal.open(url("relay-a"), "dev-1", token, WAIT));
            shells.add(ResumingTerminal.open(url("relay-b"), "dev-2", token, WAIT));
            relayOf.put(shells.get(0), "relay-a");
            relayOf.put(shells.get(1), "relay-b");
            for (ResumingTerminal t : shells) {
                pids.add(t.pid(WAIT));
            }
            for (int step = 0; step < IDS.size(); step++) {
                String id = IDS.get(step);
                RelayProcess relay = cluster.relay(id);
                relay.terminate();
                String next = IDS.get((step + 1) % IDS.size());
                for (ResumingTerminal t : shells) {
                    if (relayOf.get(t).equals(id)) {
                        // Handed over at the drain timeout: a plain 1001, and the console resumes elsewhere.
                        assertThat(t.awaitDropped(WAIT)).isEqualTo(1001);
                        assertThat(t.resumeOn(url(next), WAIT).get("offset").asLong()).isEqualTo(t.offset());
                        relayOf.put(t, next);
                    }
                }
                assertThat(relay.awaitExit(WAIT)).isTrue();
                cluster.start(id, "--drain-timeout", "2s");
                await().atMost(WAIT).until(() -> TestCluster.readyz(url(id)).get("httpStatus").asInt() == 200);
                for (int i = 0; i < shells.size(); i++) {
                    shells.get(i).type("echo step-" + step + "-$$-end\r");
                    shells.get(i).awaitOutput(TerminalClient.hasLine("step-" + step + "-" + pids.get(i) + "-end"), WAIT);
                }
            }

            awaitHolder(2); // 0 devices lost: both links are held again
            for (String id : IDS) {
                assertThat(TestCluster.online(url(id), token, "dev-1")).isTrue();
                assertThat(TestCluster.online(url(id), token, "dev-2")).isTrue();
            }
            for (int i = 0; i < shells.size(); i++) { // 0 shells ended: the same processes, every line once
                String output = shells.get(i).output();
                assertThat(lineCount(output, "pid-" + pids.get(i) + "-end")).isEqualTo(1);
                for (int step = 0; step < IDS.size(); step++) {
                    assertThat(lineCount(output, "step-" + step + "-" + pids.get(i) + "-end")).isEqualTo(1);
                }
            }
        } finally {
            for (ResumingTerminal t : shells) {
                t.close();
            }
        }
    }

    private static String other(String id) {
        return IDS.stream().filter(x -> !x.equals(id)).findFirst().orElseThrow();
    }

    /** Lines that are exactly {@code line} (a command's result, not its echo). */
    private static int lineCount(String output, String line) {
        Matcher m = Pattern.compile("(^|[\\r\\n])" + Pattern.quote(line) + "\\r?\\n").matcher(output);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
