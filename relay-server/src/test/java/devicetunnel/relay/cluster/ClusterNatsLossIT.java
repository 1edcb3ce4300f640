package devicetunnel.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.support.NatsServerProcess;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relays on a NATS server of the test's own (the shared one at 4222 is never touched), each
 * with a device of its own. NATS is killed: each relay keeps serving its own devices (open shells
 * and new ones), says "degraded", reason "nats" on /readyz with 200 (so a balancer keeps it), and
 * refuses sessions to a sibling's device at once with words that say why. NATS comes back on the
 * same port: the relays reconnect by themselves and cross-relay sessions work again.
 */
@Timeout(200)
class ClusterNatsLossIT {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;
    TestCluster cluster;
    NatsServerProcess nats;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    @Test
    void aRelayThatLosesNatsKeepsServingItsOwnDevicesSaysSoAndRecoversByItself() throws Exception {
        nats = NatsServerProcess.start(dir.resolve("nats"));
        cluster = new TestCluster(dir, nats.url(), Duration.ofSeconds(3));
        String a = cluster.start("relay-a").baseUrl();
        String b = cluster.start("relay-b").baseUrl();
        cluster.agent("dev-a", a); // each device dials its relay directly: the links stay put
        cluster.agent("dev-b", b);
        String token = TestCluster.login(a);
        await().atMost(WAIT).until(() -> TestCluster.online(a, token, "dev-a") && TestCluster.online(a, token, "dev-b"));

        try (TerminalClient open = TerminalClient.connect(TestCluster.terminal(a, "dev-a"), token)) {
            open.awaitSessionId(WAIT);
            nats.kill();

            await().atMost(WAIT).until(() -> "degraded".equals(TestCluster.readyz(a).get("status").asText()));
            JsonNode ready = TestCluster.readyz(a);
            assertThat(ready.get("httpStatus").asInt()).isEqualTo(200); // the balancer keeps it: see SCALING.md
            assertThat(ready.get("reason").asText()).isEqualTo("nats");
            assertThat(ready.get("cluster").get("nats").asText()).isNotEqualTo("connected");

            // Its own device: the open shell and a new one both work.
            open.type("echo kept-$((2*21))\r");
            open.awaitOutput(TerminalClient.hasLine("kept-42"), WAIT);
            try (TerminalClient fresh = TerminalClient.connect(TestCluster.terminal(a, "dev-a"), token)) {
                fresh.awaitSessionId(WAIT);
                fresh.type("echo fresh-$((2*21))\r");
                fresh.awaitOutput(TerminalClient.hasLine("fresh-42"), WAIT);
            }

            // The sibling's device: refused at once, in words, not after the open timeout.
            long asked = System.nanoTime();
            try (TerminalClient cross = TerminalClient.connect(TestCluster.terminal(a, "dev-b"), token)) {
                JsonNode error = cross.awaitControl("error", WAIT);
                Duration took = Duration.ofNanos(System.nanoTime() - asked);
                assertThat(error.get("error").asText()).isEqualTo("device_unreachable");
                assertThat(error.get("message").asText()).contains("NATS");
                assertThat(took).isLessThan(Duration.ofSeconds(5));
            }

            nats.startAgain();
            await().atMost(WAIT).until(() -> "ready".equals(TestCluster.readyz(a).get("status").asText())
                    && "ready".equals(TestCluster.readyz(b).get("status").asText()));
            // Ready means connected; the sibling's subscriptions come back with its own reconnect, which
            // may finish a moment later: the first cross-relay open can still be refused, a later one works.
            await().atMost(WAIT).untilAsserted(() -> {
                try (TerminalClient cross = TerminalClient.connect(TestCluster.terminal(a, "dev-b"), token)) {
                    cross.awaitSessionId(Duration.ofSeconds(10));
                    cross.type("echo across-$((2*21))\r");
                    cross.awaitOutput(TerminalClient.hasLine("across-42"), WAIT);
                }
            });
            open.type("echo still-$((2*21))\r");
            open.awaitOutput(TerminalClient.hasLine("still-42"), WAIT);
        }
    }
}
