package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Idle timeout, maximum duration and the per-device session cap. */
@Timeout(120)
class SessionLimitsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private TestRelay relayWith(Duration idle, Duration max, int perDevice) throws Exception {
        TestRelay relay = new TestRelay(dir, c -> c.withSessions(
                TerminalSessions.Settings.defaults().withLimits(idle, max, perDevice)));
        relay.onlineDevice("dev-1");
        return relay;
    }

    @Test
    void deviceCapRefusesOneSessionTooMany() throws Exception {
        try (TestRelay relay = relayWith(Duration.ZERO, Duration.ZERO, 2)) {
            String token = relay.adminToken();
            try (TerminalClient a = relay.terminal("dev-1", token, 80, 24);
                 TerminalClient b = relay.terminal("dev-1", token, 80, 24)) {
                a.awaitSessionId(WAIT);
                b.awaitSessionId(WAIT);
                try (TerminalClient c = relay.terminal("dev-1", token, 80, 24)) {
                    JsonNode error = c.awaitControl("error", WAIT);
                    assertThat(error.get("error").asText()).isEqualTo("conflict");
                    assertThat(error.get("message").asText()).contains("2 sessions");
                    assertThat(c.awaitClose(WAIT)).isEqualTo(4409);
                }
                a.type("exit\r");
                a.awaitClose(WAIT);
                try (TerminalClient d = relay.terminal("dev-1", token, 80, 24)) {
                    d.awaitSessionId(WAIT);
                }
            }
        }
    }

    @Test
    void idleSessionIsClosedWithAReason() throws Exception {
        try (TestRelay relay = relayWith(Duration.ofSeconds(1), Duration.ZERO, 16);
             TerminalClient term = relay.terminal("dev-1", relay.adminToken(), 80, 24)) {
            term.awaitSessionId(WAIT);
            term.type("echo busy-$((1+1))\r");
            term.awaitOutput(TerminalClient.hasLine("busy-2"), WAIT);
            JsonNode error = term.awaitControl("error", WAIT);
            assertThat(error.get("error").asText()).isEqualTo("session_expired");
            assertThat(error.get("message").asText()).contains("idle");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4408);
            await().atMost(WAIT).until(() -> relay.server().sessions().all().isEmpty());
        }
    }

    @Test
    void sessionEndsAtItsMaximumDurationEvenWhenBusy() throws Exception {
        try (TestRelay relay = relayWith(Duration.ZERO, Duration.ofSeconds(2), 16);
             TerminalClient term = relay.terminal("dev-1", relay.adminToken(), 80, 24)) {
            term.awaitSessionId(WAIT);
            term.keepTail(8 * 1024);
            term.type("while true; do echo tick; sleep 0.1; done\r");
            JsonNode error = term.awaitControl("error", WAIT);
            assertThat(error.get("error").asText()).isEqualTo("session_expired");
            assertThat(error.get("message").asText()).contains("maximum duration");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4408);
        }
    }
}
