package devicetunnel.relay.support;

import devicetunnel.protocol.KeyFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A device agent in its own JVM, so a test can kill it for real (SIGKILL, no goodbye). */
public final class AgentProcess implements AutoCloseable {
    private final Process process;

    private AgentProcess(Process process) {
        this.process = process;
    }

    /** Starts an agent that enrolls with {@code enrollmentToken} (written to a 0600 file) the first time. */
    public static AgentProcess start(String relayUrl, String deviceId, String enrollmentToken, Path stateDir) throws IOException {
        return start(List.of(), relayUrl, deviceId, enrollmentToken, stateDir);
    }

    /** With JVM flags (e.g. {@link RelayProcess.LEAN}). */
    public static AgentProcess start(List<String> jvmArgs, String relayUrl, String deviceId, String enrollmentToken,
                                     Path stateDir, String... extraArgs) throws IOException {
        Path tokenFile = stateDir.resolve("enrollment.token");
        KeyFiles.writePrivate(tokenFile, enrollmentToken.getBytes(StandardCharsets.UTF_8));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "devicetunnel.agent.cli.AgentMain",
                "--relay", relayUrl, "--device-id", deviceId, "--enrollment-token-file", tokenFile.toString(),
                "--state-dir", stateDir.toString(), "--shell", "/bin/bash"));
        if (!List.of(extraArgs).contains("--reconnect-max")) {
            command.addAll(List.of("--reconnect-max", "2s")); // tests wait for reconnects: a short cap
        }
        command.addAll(List.of(extraArgs));
        ChildLogs.add(stateDir.resolve("agent.log"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(stateDir.resolve("agent.log").toFile())
                .start();
        return new AgentProcess(process);
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: the kernel closes the agent's sockets, nothing else is said. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM: the agent's shutdown hook runs. */
    public int terminate() throws InterruptedException {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    static String classpathSeparator() {
        return File.pathSeparator;
    }
}
