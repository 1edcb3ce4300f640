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
 * writes use, and a cache directory standing in for the unit's {@code CacheDirectory=} (the
 * launcher's class-data archive).
 */
final class ShippedAgent {
    private static final Path WRAPPER = Path.of("device-agent", "src", "deb", "files", "device-agent");
    private static final Path JARS = Path.of("device-agent", "target");

    private final Path launcher;
    private final Path jar;
    private final Path cacheDir;

    private ShippedAgent(Path launcher, Path jar, Path cacheDir) {
        this.launcher = launcher;
        this.jar = jar;
        this.cacheDir = cacheDir;
    }

    /** Lays out a package under {@code dir} from this checkout (run from the repository root, as scripts/bench.sh does). */
    static ShippedAgent layOut(Path dir) throws IOException {
        Path jar = shadedJar();
        Path share = Files.createDirectories(dir.resolve("share").resolve("devtunnel-agent"));
        Path linked = Files.createSymbolicLink(share.resolve("device-agent.jar"), jar.toAbsolutePath());
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path launcher = bin.resolve("device-agent");
        Files.copy(WRAPPER, launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new ShippedAgent(launcher, linked, dir.resolve("cache"));
    }

    /** How a start runs the jar. */
    enum Launch {
        /** {@code java -jar device-agent.jar}: the JVM's own defaults, no launcher. */
        PLAIN_JAVA,
        /** The launcher with no cache directory: its JVM options, no class-data archive. */
        LAUNCHER,
        /** The launcher with a cache directory, as the unit runs it: records, then maps, the class-data archive. */
        LAUNCHER_CDS
    }

    /**
     * Starts the agent (the launcher execs the JVM: the process is the agent's JVM either way).
     *
     * @param extraJvmOptions added through JDK_JAVA_OPTIONS (e.g. native memory tracking), or empty
     */
    Process start(Launch launch, String extraJvmOptions, List<String> agentArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        if (launch == Launch.PLAIN_JAVA) {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        } else {
            command.add(launcher.toString());
        }
        command.addAll(agentArgs);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        for (String inherited : List.of("JAVA_OPTS", "JDK_JAVA_OPTIONS", "MALLOC_ARENA_MAX", "CACHE_DIRECTORY")) {
            env.remove(inherited);
        }
        env.put("DEVICE_AGENT_CDS_DIR", launch == Launch.LAUNCHER_CDS ? cacheDir.toString() : "");
        if (!extraJvmOptions.isBlank()) {
            env.put("JDK_JAVA_OPTIONS", extraJvmOptions);
        }
        return builder.start();
    }

    /** The launcher's class-data archives (recorded {@code *.jsa.new} or checked {@code *.jsa}) in the cache directory. */
    List<Path> archives() throws IOException {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(cacheDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(cacheDir, "device-agent-*.jsa*")) {
                files.forEach(found::add);
            }
        }
        return found;
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
