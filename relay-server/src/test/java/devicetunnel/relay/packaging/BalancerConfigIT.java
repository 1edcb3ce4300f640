package devicetunnel.relay.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.support.TestRelay;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/haproxy-cluster.cfg, as `make up-cluster` runs it, in front of a real relay that trusts
 * the balancer's address (--trusted-proxies, as scripts/cluster-up.sh starts the relays): the relay
 * sees each client's own address, so per-address limits (a device's reconnects, logins) and the
 * audit log are per client, not one budget for everyone behind the balancer; and an address a
 * client writes into X-Forwarded-For itself buys nothing. Clients connect from 127.0.0.2 and
 * 127.0.0.3 (all of 127/8 is loopback here) to tell them apart.
 */
@Timeout(90)
class BalancerConfigIT {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;
    private TestRelay relay;
    private Process haproxy;

    @AfterEach
    void stop() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void theRelaySeesEachClientsOwnAddressThroughTheBalancer() throws Exception {
        relay = new TestRelay(dir.resolve("relay"), c -> c.withHardening(c.hardening()
                .withNetwork(c.hardening().network().withTrustedProxies(List.of("127.0.0.1")))));
        int port = freePort();
        String relayPort = Integer.toString(relay.server().port());
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, Files.readString(REPO.resolve("deploy/haproxy-cluster.cfg"))
                .replace("@PORT@", Integer.toString(port)).replace("@PORT_A@", relayPort).replace("@PORT_B@", relayPort));
        haproxy = new ProcessBuilder(haproxyBinary(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .failFast("haproxy exited; see haproxy.log", () -> !haproxy.isAlive())
                .until(() -> status(port, "127.0.0.2", "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n", "") == 200);

        assertThat(failedLogin(port, "127.0.0.2", "")).isEqualTo(401);
        assertThat(failedLogin(port, "127.0.0.3", "X-Forwarded-For: 203.0.113.7\r\n")).isEqualTo(401);

        assertThat(relay.server().audit().recent(10, "login.failed", null)).extracting(AuditLog.Event::remoteIp)
                .as("each client's address, neither the balancer's nor one a client made up")
                .containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3");
    }

    private static int failedLogin(int port, String from, String extraHeaders) throws IOException {
        String body = "{\"username\":\"nobody\",\"password\":\"wrong guess\"}";
        return status(port, from, "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n" + extraHeaders, body);
    }

    /** One request on a connection from {@code from}; the response's status code. */
    private static int status(int port, String from, String head, String body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    /** scripts/test-prereqs.sh installs it; root's PATH may lack /usr/sbin where Debian puts it. */
    private static String haproxyBinary() {
        Path sbin = Path.of("/usr/sbin/haproxy");
        return Files.isExecutable(sbin) ? sbin.toString() : "haproxy";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
