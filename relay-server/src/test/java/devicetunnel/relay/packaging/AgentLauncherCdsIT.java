package devicetunnel.relay.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.relay.support.TestRelay;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent package's launcher and its class-data sharing archive, with a real agent against a real
 * relay: the first run records the archive when it stops, the next maps it (the agent's own classes
 * come from it), and an archive that is corrupt, truncated or made for another jar never keeps the
 * agent from coming online (ignored, or deleted and recorded again).
 */
@Timeout(300)
class AgentLauncherCdsIT {
    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent()
            .resolve(Path.of("device-agent", "src", "deb", "files", "device-agent"));
    private static final String DEVICE = "cds-device";
    private static final String LEAN = "-XX:+UseSerialGC -Xmx64m -XX:TieredStopAtLevel=1";

    @TempDir
    Path dir;

    /** The class path's jars are linked, not copied: unlink them so the temporary directory's cleanup stays quiet. */
    @AfterEach
    void unlinkJars() throws IOException {
        Path lib = dir.resolve("pkg/share/devtunnel-agent/lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> links = Files.list(lib)) {
                for (Path link : (Iterable<Path>) links.filter(Files::isSymbolicLink)::iterator) {
                    Files.delete(link);
                }
            }
        }
    }

    @Test
    void firstRunRecordsTheArchiveLaterRunsMapItAndABadOneNeverStopsTheStart() throws Exception {
        Path share = Files.createDirectories(dir.resolve("pkg/share/devtunnel-agent"));
        Path jar = JarClassPath.write(share.resolve("device-agent.jar"), "devicetunnel.agent.cli.AgentMain");
        Path launcher = Files.createDirectories(dir.resolve("pkg/bin")).resolve("device-agent");
        Files.copy(LAUNCHER, launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cache = dir.resolve("cache");
        try (TestRelay relay = new TestRelay(dir.resolve("relay"))) {
            List<String> command = List.of(launcher.toString(), "--relay", relay.baseUrl(), "--device-id", DEVICE,
                    "--state-dir", dir.resolve("state").toString(), "--enrollment-token-file",
                    relay.tokenFile(relay.enrollmentToken(false, true, Map.of())).toString());

            runUntilOnline(relay, command, cache, "");
            Path recorded = single(cache);
            assertThat(recorded.getFileName().toString()).matches("device-agent-\\d+\\.jsa\\.new");

            Path classLog = dir.resolve("classes.log");
            runUntilOnline(relay, command, cache, "-Xlog:class+load=info:file=" + classLog);
            Path archive = single(cache);
            assertThat(archive.getFileName().toString()).matches("device-agent-\\d+-" + Files.size(archive) + "\\.jsa");
            assertThat(Files.readString(classLog)).containsPattern(
                    "devicetunnel\\.agent\\.Agent source: shared objects file \\(top\\)");

            overwriteWithNoise(archive);
            runUntilOnline(relay, command, cache, "");
            assertThat(single(cache)).as("a corrupt archive of the right size is ignored").isEqualTo(archive);

            try (SeekableByteChannel out = Files.newByteChannel(archive, StandardOpenOption.WRITE)) {
                out.truncate(Files.size(archive) / 2);
            }
            runUntilOnline(relay, command, cache, "");
            assertThat(single(cache)).as("a truncated archive is deleted and recorded again").isEqualTo(recorded);

            runUntilOnline(relay, command, cache, ""); // checks and renames the new recording
            Path before = single(cache);
            Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
            runUntilOnline(relay, command, cache, "");
            Path upgraded = single(cache);
            assertThat(upgraded.getFileName().toString()).as("another jar: the old archive goes, a new one is recorded")
                    .endsWith(".jsa.new").isNotEqualTo(recorded.getFileName().toString());
            assertThat(before).doesNotExist();
        }
    }

    /** Starts the agent through the launcher, waits until the relay lists it, stops it as systemd does (SIGTERM). */
    private void runUntilOnline(TestRelay relay, List<String> command, Path cache, String jdkJavaOptions) throws Exception {
        Path log = Files.createTempFile(dir, "agent", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JAVA_OPTS", LEAN);
        env.put("DEVICE_AGENT_CDS_DIR", cache.toString());
        env.remove("CACHE_DIRECTORY");
        env.remove("JDK_JAVA_OPTIONS");
        if (!jdkJavaOptions.isEmpty()) {
            env.put("JDK_JAVA_OPTIONS", jdkJavaOptions);
        }
        Process agent = builder.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                assertThat(agent.isAlive()).as(() -> "agent exited; its log: " + read(log)).isTrue();
                return relay.server().registry().isOnline(DEVICE);
            });
        } finally {
            agent.destroy();
            assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("agent stopped on SIGTERM (archive written)").isTrue();
        }
        relay.awaitOnline(DEVICE, false, Duration.ofSeconds(30));
    }

    private static Path single(Path cache) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(cache)) {
            all.forEach(files::add);
        }
        assertThat(files).as("files in the launcher's cache directory").hasSize(1);
        return files.get(0);
    }

    private static void overwriteWithNoise(Path file) throws IOException {
        byte[] noise = new byte[Math.toIntExact(Files.size(file))];
        new SecureRandom().nextBytes(noise);
        file.toFile().setWritable(true);
        Files.write(file, noise);
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
