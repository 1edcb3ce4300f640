package devicetunnel.relay.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.support.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled-runtime option: scripts/agent-jre.sh makes a jlink runtime; the agent runs on it
 * ({@code --help}), enrolls with a real relay and comes online (TLS-free here, on loopback).
 */
@Timeout(180)
class AgentJreIT {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;

    @Test
    void agentRunsAndEnrollsOnTheJlinkRuntime() throws Exception {
        Path jre = dir.resolve("jre");
        Cmd.run(ROOT, "scripts/agent-jre.sh", jre.toString()).ok();
        String java = jre.resolve("bin/java").toString();
        Path agentJar = StandInJar.write(dir.resolve("device-agent.jar"), "devicetunnel.agent.cli.AgentMain");
        List<String> lean = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

        Cmd help = Cmd.run(dir, java, "-jar", agentJar.toString(), "--help").ok();
        assertThat(help.out()).contains("--relay", "install");

        try (TestRelay relay = new TestRelay(dir.resolve("relay"))) {
            Path token = relay.tokenFile(relay.enrollmentToken(false, true, Map.of()));
            Path log = dir.resolve("agent.log");
            List<String> command = new java.util.ArrayList<>(List.of(java));
            command.addAll(lean);
            command.addAll(List.of("-jar", agentJar.toString(), "--relay", relay.baseUrl(), "--device-id", "jre-1",
                    "--enrollment-token-file", token.toString(), "--state-dir", dir.resolve("agent-state").toString()));
            Process agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                relay.awaitOnline("jre-1", true, Duration.ofSeconds(60));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("agent on the jlink runtime did not come online:\n" + Files.readString(log), e);
            } finally {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
