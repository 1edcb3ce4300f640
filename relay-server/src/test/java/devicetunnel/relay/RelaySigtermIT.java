package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.agent.Agent;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a real relay process: sessions are drained, then handed over (browsers get 1001 and
 * resume, devices keep the shells); agents are sent away; the restarted relay resumes the shell.
 */
@Timeout(180)
class RelaySigtermIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void sigtermDrainsThenHandsSessionsOverAndTheRestartedRelayResumesTheSameShell() throws Exception {
        Path state = dir.resolve("relay");
        String enrollment = RelayProcess.prepareState(state);
        try (RelayProcess relay = RelayProcess.start(state, "--drain-timeout", "2s", "--ping-interval", "1s");
             Agent agent = new Agent(TestRelay.agentConfig(relay.baseUrl(), "dev-1", writeToken(enrollment),
                     dir.resolve("agent"), null, false)).start()) {
            await().atMost(WAIT).until(agent::isOnline);
            String token = RelayProcess.adminToken(relay.baseUrl());
            URI terminal = URI.create(relay.baseUrl().replace("http://", "ws://") + "/api/v1/devices/dev-1/terminal");
            String sessionId;
            String pid;
            long seen;
            try (TerminalClient term = TerminalClient.connect(terminal, token)) {
                sessionId = term.awaitSessionId(WAIT);
                term.type("echo pid-$$-end\r");
                java.util.regex.Matcher m = await().atMost(WAIT)
                        .until(() -> java.util.regex.Pattern.compile("pid-(\\d+)-end").matcher(term.output()), java.util.regex.Matcher::find);
                pid = m.group(1);

                relay.terminate();

                await().atMost(WAIT).until(() -> !agent.isOnline());
                // A plain 1001, no error: the console resumes, here after the restart or on a sibling relay.
                assertThat(term.awaitClose(WAIT)).isEqualTo(1001);
                assertThat(term.controlTypes()).doesNotContain("error");
                seen = term.received();
            }
            assertThat(relay.awaitExit(WAIT)).isTrue();
            assertThat(relay.log()).contains("draining: 1 session(s) open").contains("drain timeout reached");
            assertThat(agent.sshServer().runningShells()).as("the device kept the shell").isEqualTo(1);

            String listen = relay.baseUrl().replace("http://", "");
            try (RelayProcess again = RelayProcess.startOn(listen, state, "--ping-interval", "1s")) {
                await().atMost(WAIT).until(agent::isOnline);
                URI resume = URI.create(again.baseUrl().replace("http://", "ws://") + "/api/v1/sessions/" + sessionId
                        + "/terminal?offset=" + seen);
                try (TerminalClient resumed = TerminalClient.connect(resume, token)) {
                    resumed.awaitControl("session", WAIT);
                    resumed.type("echo again-$$-end\r");
                    resumed.awaitOutput(TerminalClient.hasLine("again-" + pid + "-end"), WAIT);
                }
            }
        }
    }


    private Path writeToken(String token) throws Exception {
        Path file = dir.resolve("enroll.token");
        devicetunnel.protocol.KeyFiles.writePrivate(file, token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return file;
    }
}
