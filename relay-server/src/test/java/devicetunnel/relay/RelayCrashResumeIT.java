package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.agent.Agent;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the relay while a browser shell is open: the agent keeps the shell, the restarted
 * relay resumes it through the device, and the browser gets the output it missed, the same shell
 * process, and a word that the relay changed.
 */
@Timeout(180)
class RelayCrashResumeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern PID = Pattern.compile("pid-(\\d+)-end");

    @TempDir
    Path dir;

    @Test
    void aShellOpenWhenTheRelayIsKilledResumesOnTheRestartedRelayWithItsMissedOutput() throws Exception {
        Path state = dir.resolve("relay");
        String enrollment = RelayProcess.prepareState(state);
        RelayProcess first = RelayProcess.start(state, "--ping-interval", "1s");
        String baseUrl = first.baseUrl();
        Path tokenFile = dir.resolve("enroll.token");
        devicetunnel.protocol.KeyFiles.writePrivate(tokenFile, enrollment.getBytes(StandardCharsets.UTF_8));
        try (Agent agent = new Agent(TestRelay.agentConfig(baseUrl, "dev-1", tokenFile, dir.resolve("agent"), null, false)).start()) {
            await().atMost(WAIT).until(agent::isOnline);
            String token = RelayProcess.adminToken(baseUrl);
            String sessionId;
            String pid;
            long seen;
            try (TerminalClient term = TerminalClient.connect(ws(baseUrl, "/api/v1/devices/dev-1/terminal"), token)) {
                sessionId = term.awaitSessionId(WAIT);
                term.type("echo pid-$$-end\r");
                Matcher m = await().atMost(WAIT).until(() -> PID.matcher(term.output()), Matcher::find);
                pid = m.group(1);
                // Printed a moment later, while the relay is dead or restarting: only the device has it.
                term.type("sleep 1; echo missed-$((6*7))\r");
                term.awaitOutput(s -> s.contains("sleep 1; echo missed"), WAIT);
                first.kill();
                term.awaitClose(WAIT);
                seen = term.received();
            }
            assertThat(agent.sshServer().runningShells()).isEqualTo(1); // the shell outlived its relay

            try (RelayProcess second = RelayProcess.startOn(baseUrl.replace("http://", ""), state, "--ping-interval", "1s")) {
                await().atMost(WAIT).until(agent::isOnline);
                try (TerminalClient resumed = TerminalClient.connect(
                        ws(baseUrl, "/api/v1/sessions/" + sessionId + "/terminal?offset=" + seen), token)) {
                    JsonNode hello = resumed.awaitControl("session", WAIT);
                    assertThat(hello.get("resumedThroughDevice").asBoolean()).isTrue();
                    resumed.awaitOutput(TerminalClient.hasLine("missed-42"), WAIT);
                    resumed.type("echo again-$$-end\r");
                    resumed.awaitOutput(TerminalClient.hasLine("again-" + pid + "-end"), WAIT);
                    assertThat(resumed.output()).doesNotContain("pid-" + pid + "-end"); // nothing seen before comes twice
                }
                assertThat(second.log()).doesNotContain("missed-42"); // terminal output never reaches a log
            }
        } finally {
            first.close();
        }
    }

    private static URI ws(String baseUrl, String path) {
        return URI.create(baseUrl.replace("http://", "ws://") + path);
    }

}
