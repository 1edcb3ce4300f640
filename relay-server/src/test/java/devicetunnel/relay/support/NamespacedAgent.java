package devicetunnel.relay.support;

import devicetunnel.protocol.KeyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A device agent JVM inside a {@link NetNamespace} ({@code ip netns exec} replaces itself with the
 * JVM, so the process is the agent). Lean JVM flags; reconnect backoff capped at 2 s as in the
 * other agent tests.
 */
public final class NamespacedAgent implements AutoCloseable {
    private final Process process;

    private NamespacedAgent(Process process) {
        this.process = process;
    }

    public static NamespacedAgent start(NetNamespace ns, String relayUrl, String deviceId, String enrollmentToken,
                                        Path stateDir, String... extraArgs) throws IOException {
        Path tokenFile = stateDir.resolve("enrollment.token");
        KeyFiles.writePrivate(tokenFile, enrollmentToken.getBytes(StandardCharsets.UTF_8));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(RelayProcess.LEAN);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "devicetunnel.agent.cli.AgentMain",
                "--relay", relayUrl, "--device-id", deviceId, "--enrollment-token-file", tokenFile.toString(),
                "--state-dir", stateDir.toString(), "--shell", "/bin/bash", "--reconnect-max", "2s"));
        command.addAll(List.of(extraArgs));
        ChildLogs.add(stateDir.resolve("agent.log"));
        Process process = new ProcessBuilder(ns.wrap(command))
                .redirectErrorStream(true)
                .redirectOutput(stateDir.resolve("agent.log").toFile())
                .start();
        return new NamespacedAgent(process);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
