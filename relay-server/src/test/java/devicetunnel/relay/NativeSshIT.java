package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import devicetunnel.agent.Agent;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.OperatorCli;
import devicetunnel.relay.support.TestRelay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's stock OpenSSH client (ssh, scp, sftp) reaching a device through {@code devtunnel proxy}
 * and the relay's native websocket, authenticated by a certificate from the relay's CA and checking
 * the device's pinned host key. The "device side" is this machine: the agent runs in this JVM.
 */
@Timeout(300)
class NativeSshIT {
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final String OPERATOR = "alice";
    private static final String PASSWORD = "alice's long passphrase";
    private static final String HOST = "dev-1.devtunnel";

    @TempDir
    Path dir;
    TestRelay relay;
    Agent agent;
    OperatorCli operator;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir);
        relay.addUser(OPERATOR, PASSWORD, User.Role.OPERATOR, Map.of());
        agent = relay.startAgent("dev-1", dir.resolve("agent-dev-1"),
                relay.tokenFile(relay.enrollmentToken(false, true, Map.of())), null, relay.baseUrl(), true);
        relay.awaitOnline("dev-1", true);
        operator = new OperatorCli(dir.resolve("operator"));
        operator.login(relay.baseUrl(), OPERATOR, PASSWORD);
        operator.sshConfig();
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void runsACommandWithTheStockSshClient() throws Exception {
        OperatorCli.Result result = operator.run(RUN, "ssh", HOST, "echo native-$((6*7))");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).isEqualTo("native-42\n");
        assertThat(Files.readString(operator.configDir().resolve("known_hosts")))
                .startsWith(HOST + " " + agent.hostPublicKey().split(" ")[0] + " " + agent.hostPublicKey().split(" ")[1]);
        await().atMost(RUN).untilAsserted(() -> assertThat(relay.server().audit().recent(50))
                .anyMatch(e -> e.event().equals("ssh.open") && OPERATOR.equals(e.actor()) && "dev-1".equals(e.deviceId()))
                .anyMatch(e -> e.event().equals("ssh.certificate.issued") && OPERATOR.equals(e.actor())));
    }

    @Test
    void copies64MiBBothWaysWithScp() throws Exception {
        Path original = dir.resolve("original.bin");
        writeRandom(original, 64 * 1024 * 1024);
        Path onDevice = Files.createDirectories(dir.resolve("device-files")).resolve("uploaded.bin");
        Path back = dir.resolve("back.bin");

        OperatorCli.Result up = operator.run(RUN, "scp", "-q", original.toString(), HOST + ":" + onDevice);
        assertThat(up.exitCode()).as(up.stderr()).isZero();
        assertThat(sha256(onDevice)).isEqualTo(sha256(original));

        OperatorCli.Result down = operator.run(RUN, "scp", "-q", HOST + ":" + onDevice, back.toString());
        assertThat(down.exitCode()).as(down.stderr()).isZero();
        assertThat(sha256(back)).isEqualTo(sha256(original));
    }

    @Test
    void listsADirectoryWithSftp() throws Exception {
        Path remoteDir = Files.createDirectories(dir.resolve("listing"));
        Files.writeString(remoteDir.resolve("alpha.txt"), "a");
        Files.writeString(remoteDir.resolve("beta.log"), "b");
        Path batch = dir.resolve("batch.sftp");
        Files.writeString(batch, "ls -1 " + remoteDir + "\n");
        OperatorCli.Result result = operator.run(RUN, "sftp", "-b", batch.toString(), HOST);
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("alpha.txt").contains("beta.log");
    }

    @Test
    void forwardsLocalAndRemotePortsWhenSwitchedOn() throws Exception {
        HttpServer web = helloServer();
        try {
            switchForwarding(true);
            int webPort = web.getAddress().getPort();

            Path socket = dir.resolve("fwd.sock");
            Process local = operator.start("ssh", "-N", "-o", "ExitOnForwardFailure=yes",
                    "-L", socket + ":127.0.0.1:" + webPort, HOST);
            try {
                await().atMost(RUN).until(() -> Files.exists(socket) || !local.isAlive());
                assertThat(fetchOverUnixSocket(socket)).contains("200").contains("hello from the device side");
            } finally {
                local.destroy();
            }

            Process remote = operator.start("ssh", "-N", "-o", "ExitOnForwardFailure=yes",
                    "-R", "0:127.0.0.1:" + webPort, HOST);
            try {
                Pattern allocated = Pattern.compile("Allocated port (\\d+) for remote forward");
                await().atMost(RUN).until(() -> allocated.matcher(Files.readString(operator.stderrOf("ssh"))).find()
                        || !remote.isAlive());
                Matcher m = allocated.matcher(Files.readString(operator.stderrOf("ssh")));
                assertThat(m.find()).as(Files.readString(operator.stderrOf("ssh"))).isTrue();
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.group(1) + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.body()).isEqualTo("hello from the device side");
            } finally {
                remote.destroy();
            }
        } finally {
            web.stop(0);
        }
    }

    @Test
    void deviceWithForwardingSwitchedOffRefusesForwards() throws Exception {
        HttpServer web = helloServer();
        try {
            int webPort = web.getAddress().getPort();
            // New devices start with forwarding off, even though this agent's owner allows it.
            OperatorCli.Result remote = operator.run(RUN, "ssh", "-N", "-o", "ExitOnForwardFailure=yes",
                    "-R", "0:127.0.0.1:" + webPort, HOST);
            assertThat(remote.exitCode()).isNotZero();
            assertThat(remote.stderr()).contains("remote port forwarding failed");

            Path socket = dir.resolve("refused.sock");
            Process local = operator.start("ssh", "-N", "-L", socket + ":127.0.0.1:" + webPort, HOST);
            try {
                await().atMost(RUN).until(() -> Files.exists(socket) || !local.isAlive());
                assertThat(fetchOverUnixSocket(socket)).isEmpty();
                await().atMost(RUN).until(() -> Files.readString(operator.stderrOf("ssh")).contains("administratively prohibited"));
            } finally {
                local.destroy();
            }
        } finally {
            web.stop(0);
        }
    }

    @Test
    void execAndSftpSwitchedOffAreRefused() throws Exception {
        String admin = relay.adminToken();
        assertThat(relay.send("PATCH", "/api/v1/devices/dev-1/features", admin, Map.of("exec", false, "sftp", false))
                .statusCode()).isEqualTo(200);
        await().atMost(RUN).until(() -> !agent.sshServer().features().exec());

        OperatorCli.Result exec = operator.run(RUN, "ssh", HOST, "echo should-not-run");
        assertThat(exec.exitCode()).isNotZero();
        assertThat(exec.stdout()).doesNotContain("should-not-run");

        Path batch = dir.resolve("batch.sftp");
        Files.writeString(batch, "ls /\n");
        assertThat(operator.run(RUN, "sftp", "-b", batch.toString(), HOST).exitCode()).isNotZero();
    }

    @Test
    void revokedOperatorIsRefused() throws Exception {
        assertThat(operator.run(RUN, "ssh", HOST, "true").exitCode()).isZero();
        relay.server().users().remove(OPERATOR);

        OperatorCli.Result result = operator.run(RUN, "ssh", HOST, "echo should-not-run");
        assertThat(result.exitCode()).isEqualTo(255);
        assertThat(result.stdout()).doesNotContain("should-not-run");
        assertThat(result.stderr()).contains("no longer exists");
        assertThat(operator.devtunnel("cert", "--force")).isEqualTo(3);
    }

    @Test
    void openNativeSessionsEndWhenTheOperatorIsRemovedOrTheDeviceRevoked() throws Exception {
        Process first = operator.start("ssh", HOST, "sleep 300");
        await().atMost(RUN).until(() -> openNativeStreams() == 1);
        relay.server().users().remove(OPERATOR); // by the CLI, straight in the database: the access sweep notices
        assertThat(first.waitFor(RUN.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).as("ssh ended").isTrue();
        assertThat(first.exitValue()).isNotZero();

        relay.addUser(OPERATOR, PASSWORD, User.Role.OPERATOR, Map.of());
        operator.login(relay.baseUrl(), OPERATOR, PASSWORD);
        Process second = operator.start("ssh", HOST, "sleep 300");
        await().atMost(RUN).until(() -> openNativeStreams() == 1);
        assertThat(relay.send("POST", "/api/v1/devices/dev-1/revoke", relay.adminToken(), Map.of()).statusCode()).isEqualTo(200);
        assertThat(second.waitFor(RUN.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).as("ssh ended").isTrue();
        assertThat(second.exitValue()).isNotZero();
    }

    /** Native streams opened minus closed, from the audit log. */
    private long openNativeStreams() {
        var events = relay.server().audit().recent(200);
        return events.stream().filter(e -> e.event().equals("ssh.open")).count()
                - events.stream().filter(e -> e.event().equals("ssh.close")).count();
    }

    private void switchForwarding(boolean on) throws Exception {
        assertThat(relay.send("PATCH", "/api/v1/devices/dev-1/features", relay.adminToken(), Map.of("forwarding", on))
                .statusCode()).isEqualTo(200);
        await().atMost(RUN).until(() -> agent.sshServer().features().forwarding() == on);
    }

    private static HttpServer helloServer() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "hello from the device side".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** A raw HTTP/1.0 request through a forwarded Unix socket; what came back before the other end closed. */
    private static String fetchOverUnixSocket(Path socket) throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap("GET / HTTP/1.0\r\nHost: device\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            InputStream in = Channels.newInputStream(channel);
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // ssh resets the socket when the device refuses the forward: nothing came through
        }
        return received.toString(StandardCharsets.UTF_8);
    }

    private static void writeRandom(Path file, int size) throws Exception {
        Random random = new Random(42);
        byte[] chunk = new byte[1024 * 1024];
        try (var out = Files.newOutputStream(file)) {
            for (int written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1024 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
