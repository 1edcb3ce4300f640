package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.agent.Agent;
import devicetunnel.relay.support.AgentProcess;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM on an agent: its operators read why their shell ended, and the device goes offline at once. */
@Timeout(120)
class AgentShutdownIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void sigtermClosesSessionsWithAnExitMessage() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            String enrollment = relay.enrollmentToken(false, true, Map.of());
            try (AgentProcess agent = AgentProcess.start(relay.baseUrl(), "dev-1", enrollment, dir.resolve("agent"))) {
                relay.awaitOnline("dev-1", true, Duration.ofSeconds(60)); // a fresh JVM on a busy machine
                try (TerminalClient term = relay.terminal("dev-1", relay.adminToken(), 80, 24)) {
                    term.awaitSessionId(WAIT);
                    term.type("echo alive-$((40+2))\r");
                    term.awaitOutput(TerminalClient.hasLine("alive-42"), WAIT);

                    agent.terminate();

                    term.awaitOutput(out -> out.contains(Agent.SHUTDOWN_MESSAGE), WAIT);
                    term.awaitControl("exit", WAIT);
                    assertThat(term.awaitClose(WAIT)).isEqualTo(1000);
                }
                relay.awaitOnline("dev-1", false);
            }
        }
    }
}
