package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.support.AgentProcess;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A device agent killed with SIGKILL mid-session: the browser learns why, the device goes offline. */
@Timeout(120)
class AgentLossIT {
    private static final Duration PING = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void killedAgentEndsTheSessionWithAClearMessageAndGoesOffline() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withPingInterval(PING))) {
            String enrollment = relay.enrollmentToken(false, true, Map.of());
            try (AgentProcess agent = AgentProcess.start(relay.baseUrl(), "dev-1", enrollment, dir.resolve("agent"))) {
                relay.awaitOnline("dev-1", true, Duration.ofSeconds(60)); // a fresh JVM on a busy machine
                String token = relay.adminToken();
                try (TerminalClient term = relay.terminal("dev-1", token, 80, 24)) {
                    term.awaitControl("session", Duration.ofSeconds(15));
                    term.type("echo alive-$((40+2))\r");
                    term.awaitOutput(TerminalClient.hasLine("alive-42"), Duration.ofSeconds(15));

                    agent.kill();

                    JsonNode error = term.awaitControl("error", Duration.ofSeconds(15));
                    assertThat(error.get("error").asText()).isEqualTo("device_unreachable");
                    assertThat(error.get("message").asText()).contains("connection to the device was lost");
                    assertThat(term.awaitClose(Duration.ofSeconds(15))).isEqualTo(4502);
                }
                await().atMost(PING.multipliedBy(2)).until(() -> !relay.server().registry().isOnline("dev-1"));
            }
        }
    }
}
