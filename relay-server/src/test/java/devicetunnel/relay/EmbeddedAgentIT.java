package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.agent.DeviceAgent;
import devicetunnel.agent.link.LinkState;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent embedded in an application (here: this test JVM, then the documented example's own JVM). */
@Timeout(120)
class EmbeddedAgentIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path EXAMPLE = Path.of("..", "examples", "embedded-agent", "EmbeddedAgentExample.java");

    @TempDir
    Path dir;
    TestRelay relay;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir);
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void anEmbeddedAgentServesATerminalRunningTheApplicationsCommandAndReportsItsLink() throws Exception {
        DeviceAgent agent = DeviceAgent.builder()
                .relay(relay.baseUrl())
                .deviceId("embedded-1")
                .stateDir(dir.resolve("app-state"))
                .enrollmentTokenFile(relay.tokenFile(relay.enrollmentToken(false, true, Map.of("app", "pump"))))
                .terminalCommand("/bin/sh", "-c", "echo app-console-$((40+2)); exec /bin/bash --norc --noprofile -i")
                .reconnectBackoff(Duration.ofMillis(100), TestRelay.AGENT_BACKOFF_CAP)
                .start();
        try (agent) {
            await().atMost(WAIT).until(() -> agent.linkState().link() == LinkState.Link.CONNECTED);
            assertThat(agent.isOnline()).isTrue();
            relay.awaitOnline("embedded-1", true);
            assertThat(relay.server().devices().find("embedded-1").orElseThrow().hostKey())
                    .isEqualTo(agent.hostPublicKey());

            try (TerminalClient term = relay.terminal("embedded-1", relay.adminToken(), 80, 24)) {
                term.awaitControl("session", WAIT);
                term.awaitOutput(TerminalClient.hasLine("app-console-42"), WAIT); // the command, not a login shell
                term.type("echo $((6*7))\r");
                term.awaitOutput(TerminalClient.hasLine("42"), WAIT);
            }
        }
        assertThat(agent.linkState().link()).isEqualTo(LinkState.Link.OFFLINE);
        assertThat(agent.isOnline()).isFalse();
        relay.awaitOnline("embedded-1", false);
    }

    @Test
    void theDocumentedExampleRunsAsASourceFileAndServesATerminal() throws Exception {
        Path state = Files.createDirectories(dir.resolve("example-state"));
        Path tokenFile = relay.tokenFile(relay.enrollmentToken(false, true, Map.of()));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), EXAMPLE.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(state.resolve("example.log").toFile());
        builder.environment().putAll(Map.of("DT_RELAY", relay.baseUrl(), "DT_DEVICE_ID", "pump-17",
                "DT_STATE_DIR", state.toString(), "DT_ENROLLMENT_TOKEN_FILE", tokenFile.toString()));
        Process example = builder.start();
        try {
            relay.awaitOnline("pump-17", true, Duration.ofSeconds(60));
            await().atMost(WAIT).until(() -> Files.readString(state.resolve("example.log"))
                    .contains("remote access started for pump-17"));
            try (TerminalClient term = relay.terminal("pump-17", relay.adminToken(), 80, 24)) {
                term.awaitOutput(TerminalClient.hasLine("pump console ready"), WAIT);
                term.type("echo $((6*7))\r");
                term.awaitOutput(out -> out.contains("42"), WAIT);
            }
            example.destroy(); // SIGTERM: the example's shutdown hook closes the agent
            assertThat(example.waitFor(20, TimeUnit.SECONDS)).isTrue();
            relay.awaitOnline("pump-17", false, Duration.ofSeconds(5));
        } finally {
            example.destroyForcibly();
        }
    }
}
