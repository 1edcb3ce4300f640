package devicetunnel.relay.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agent as the Debian package ships it: {@code bin/device-agent} (the package's own wrapper
 * script, unchanged) next to {@code share/devtunnel-agent/device-agent.jar} (the shaded jar), so the
 * bench runs it with exactly the JVM options the package and the unit {@code device-agent install}
 * writes use. {@code JAVA_OPTS} replaces them, as it does for a user.
 */
final class ShippedAgent {
    private static final Path WRAPPER = Path.of("device-agent", "src", "deb", "files", "device-agent");
    private static final Path JARS = Path.of("device-agent", "target");

    private final Path launcher;

    private ShippedAgent(Path launcher) {
        this.launcher = launcher;
    }

    /** Lays out a package under {@code dir} from this checkout (run from the repository root, as scripts/bench.sh does). */
    static ShippedAgent layOut(Path dir) throws IOException {
        Path jar = shadedJar();
        Path share = Files.createDirectories(dir.resolve("share").resolve("devtunnel-agent"));
        Files.createSymbolicLink(share.resolve("device-agent.jar"), jar.toAbsolutePath());
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path launcher = bin.resolve("device-agent");
        Files.copy(WRAPPER, launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new ShippedAgent(launcher);
    }

    /**
     * Starts the agent through the wrapper (which execs the JVM: the process is the agent's JVM).
     *
     * @param javaOpts null for the shipped options, else what replaces them
     * @param mallocArenas null for the launcher's choice, else MALLOC_ARENA_MAX
     * @param extraJvmOptions added through JDK_JAVA_OPTIONS (e.g. native memory tracking), or empty
     */
    Process start(String javaOpts, String mallocArenas, String extraJvmOptions, List<String> agentArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(agentArgs);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.remove("JAVA_OPTS");
        env.remove("JDK_JAVA_OPTIONS");
        if (javaOpts != null) {
            env.put("JAVA_OPTS", javaOpts);
        }
        env.remove("MALLOC_ARENA_MAX");
        if (mallocArenas != null) {
            env.put("MALLOC_ARENA_MAX", mallocArenas);
        }
        if (!extraJvmOptions.isBlank()) {
            env.put("JDK_JAVA_OPTIONS", extraJvmOptions);
        }
        return builder.start();
    }

    private static Path shadedJar() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(JARS, "device-agent-*-all.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new IOException("no " + JARS + "/device-agent-*-all.jar: scripts/bench.sh packages it (mvn -pl device-agent package)");
    }
}
