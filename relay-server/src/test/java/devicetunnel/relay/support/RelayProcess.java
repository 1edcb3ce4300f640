package devicetunnel.relay.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/** {@code relay serve} in its own JVM, so a test can send it a real SIGTERM. Listens on port 0. */
public final class RelayProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("relay listening on (http://[^\\s\"]+)");

    private final Process process;
    private final Path log;
    private final String baseUrl;

    private RelayProcess(Process process, Path log, String baseUrl) {
        this.process = process;
        this.log = log;
        this.baseUrl = baseUrl;
    }

    /** JVM flags for relays a test starts many times, or several at once: small heap, one GC thread, C1 only. */
    public static final List<String> LEAN = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    public static RelayProcess start(Path stateDir, String... extraArgs) throws IOException {
        return start(stateDir, List.of(), stateDir.resolve("relay.log"), extraArgs);
    }

    /** A lean relay listening on {@code listen} (host:port), e.g. again on the port of one that was killed. */
    public static RelayProcess startOn(String listen, Path stateDir, String... extraArgs) throws IOException {
        return start(listen, stateDir, LEAN, stateDir.resolve("relay.log"), extraArgs);
    }

    /** JVM flags first (e.g. {@link #LEAN} when several relays share a small machine). */
    public static RelayProcess start(List<String> jvmArgs, Path stateDir, String... extraArgs) throws IOException {
        return start(stateDir, jvmArgs, stateDir.resolve("relay.log"), extraArgs);
    }

    public static RelayProcess start(Path stateDir, List<String> jvmOptions, Path log, String... extraArgs)
            throws IOException {
        return start("127.0.0.1:0", stateDir, jvmOptions, log, extraArgs);
    }

    private static RelayProcess start(String listen, Path stateDir, List<String> jvmOptions, Path log, String... extraArgs)
            throws IOException {
        Process process = launch(listen, stateDir, jvmOptions, log, extraArgs);
        String[] url = new String[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("relay exited: " + Files.readString(log));
            }
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                url[0] = m.group(1);
                return true;
            }
            return false;
        });
        return new RelayProcess(process, log, url[0]);
    }

    /** Starts {@code relay-server serve} without waiting for anything. */
    public static Process launch(Path stateDir, List<String> jvmOptions, Path log, String... extraArgs) throws IOException {
        return launch("127.0.0.1:0", stateDir, jvmOptions, log, extraArgs);
    }

    private static Process launch(String listen, Path stateDir, List<String> jvmOptions, Path log, String... extraArgs)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "devicetunnel.relay.cli.RelayMain", "serve", "--listen", listen, "--state-dir", stateDir.toString()));
        command.addAll(List.of(extraArgs));
        ChildLogs.add(log);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** SIGKILL: no shutdown hook, no flush, as a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String baseUrl() {
        return baseUrl;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGTERM; the shutdown hook drains. Returns once the process is gone. */
    public void terminate() {
        process.destroy();
    }

    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Prepares {@code stateDir} for a child relay: the test admin ({@link TestRelay#ADMIN}) and a
     * reusable, auto-accepting enrollment token, which is returned.
     */
    public static String prepareState(Path stateDir) throws IOException {
        String enrollment = devicetunnel.relay.auth.SecretTokens.generate();
        try (devicetunnel.relay.RelayServer setup = new devicetunnel.relay.RelayServer(TestConfigs.relay(stateDir))) {
            setup.users().add(new devicetunnel.relay.store.User(TestRelay.ADMIN,
                    setup.passwordHasher().hash(TestRelay.PASSWORD.toCharArray()), devicetunnel.relay.store.User.Role.ADMIN, java.util.Map.of()));
            setup.enrollments().create("test", new devicetunnel.relay.auth.Enrollments.Request(false, true, Duration.ofHours(1),
                    java.util.Map.of()), enrollment);
        }
        return enrollment;
    }

    /** The test admin's token from a child relay's login API. */
    public static String adminToken(String baseUrl) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "/api/v1/auth/login"))
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(devicetunnel.relay.http.Json.write(
                                java.util.Map.of("username", TestRelay.ADMIN, "password", TestRelay.PASSWORD))))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("login on the child relay answered " + response.statusCode() + ": " + response.body());
        }
        return devicetunnel.relay.http.Json.MAPPER.readTree(response.body()).get("token").asText();
    }
}
