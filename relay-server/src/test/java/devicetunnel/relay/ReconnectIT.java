package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.agent.Agent;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Coming back: agents after a relay restart, browsers after their websocket dropped. */
@Timeout(180)
class ReconnectIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void allAgentsReturnWithinTheBackoffCapAfterARelayRestart() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withPingInterval(Duration.ofMillis(500)))) {
            List<Agent> agents = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                agents.add(relay.onlineDevice("dev-" + i));
            }
            int port = relay.stop();
            await().atMost(WAIT).until(() -> agents.stream().noneMatch(Agent::isOnline));

            relay.startAgain(port);
            await().atMost(TestRelay.AGENT_BACKOFF_CAP.plus(Duration.ofSeconds(10))).until(() ->
                    relay.server().registry().onlineCount() == agents.size());

            // Same state: the pinned host keys still match, so sessions work right away.
            try (TerminalClient term = relay.terminal("dev-3", relay.adminToken(), 80, 24)) {
                term.awaitSessionId(WAIT);
                term.type("echo back-$((1+2))\r");
                term.awaitOutput(TerminalClient.hasLine("back-3"), WAIT);
            }
        }
    }

    @Test
    void droppedBrowserResumesTheSameShellWithTheOutputItMissed() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            String token = relay.adminToken();
            Path gate = dir.resolve("gate");
            TerminalClient term = relay.terminal("dev-1", token, 80, 24);
            String id = term.awaitSessionId(WAIT);
            TerminalSession session = relay.server().sessions().find(id).orElseThrow();
            term.type("export MARK=same-shell-$((6*7))\r");
            term.type("echo $MARK\r");
            term.awaitOutput(TerminalClient.hasLine("same-shell-42"), WAIT);
            // Prints only once the test opens the gate, i.e. while no browser is attached.
            term.type("while [ ! -e " + gate + " ]; do sleep 0.05; done; echo missed-$((50+8))\r");
            term.awaitOutput(out -> out.contains("missed-$((50+8))"), WAIT);

            long seen = term.received();
            term.abort();
            await().atMost(WAIT).until(() -> !session.hasViewer());
            long producedWhileAway = session.bytesOut();
            Files.createFile(gate);
            await().atMost(WAIT).until(() -> session.bytesOut() >= producedWhileAway + "missed-58".length());

            try (TerminalClient resumed = relay.resume(id, seen, token)) {
                JsonNode hello = resumed.awaitControl("session", WAIT);
                assertThat(hello.get("id").asText()).isEqualTo(id);
                assertThat(hello.get("offset").asLong()).isEqualTo(seen);
                resumed.awaitOutput(TerminalClient.hasLine("missed-58"), WAIT);
                assertThat(resumed.output()).as("only what was missed is replayed").doesNotContain("export MARK");
                resumed.type("echo again-$MARK\r");
                resumed.awaitOutput(TerminalClient.hasLine("again-same-shell-42"), WAIT);
            }
        }
    }

    @Test
    void aResumeFromAnotherTabMovesTheSessionAndTheOldTabIsToldSoNotRefused() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            String token = relay.adminToken();
            try (TerminalClient first = relay.terminal("dev-1", token, 80, 24)) {
                String id = first.awaitSessionId(WAIT);
                try (TerminalClient second = relay.resume(id, 0, token)) {
                    second.awaitControl("session", WAIT);
                    // Not 4409 (a cap refusal): the old tab must not offer to close sessions to make room.
                    assertThat(first.awaitClose(WAIT)).isEqualTo(ErrorCode.SESSION_MOVED.closeCode()).isEqualTo(4002);
                    second.type("echo moved-$((40+2))\r");
                    second.awaitOutput(TerminalClient.hasLine("moved-42"), WAIT);
                }
            }
        }
    }

    @Test
    void detachedSessionEndsWhenTheGracePeriodRunsOut() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withSessions(
                TerminalSessions.Settings.defaults().withResumeGrace(Duration.ofSeconds(1))))) {
            relay.onlineDevice("dev-1");
            String token = relay.adminToken();
            TerminalClient term = relay.terminal("dev-1", token, 80, 24);
            String id = term.awaitSessionId(WAIT);
            term.abort();
            await().atMost(WAIT).until(() -> relay.server().sessions().find(id).isEmpty());
            try (TerminalClient late = relay.resume(id, 0, token)) {
                assertThat(late.awaitControl("error", WAIT).get("error").asText()).isEqualTo("not_found");
                assertThat(late.awaitClose(WAIT)).isEqualTo(4404);
            }
        }
    }
}
