package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The optional maximum session duration (caps and the idle timeout: LimitsIT). */
@Timeout(120)
class MaxDurationIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private TestRelay relayWith(Duration max) throws Exception {
        TestRelay relay = new TestRelay(dir, c -> c.withSessions(TerminalSessions.Settings.defaults().withMaxDuration(max)));
        relay.onlineDevice("dev-1");
        return relay;
    }

    @Test
    void sessionEndsAtItsMaximumDurationEvenWhenBusy() throws Exception {
        try (TestRelay relay = relayWith(Duration.ofSeconds(2));
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
