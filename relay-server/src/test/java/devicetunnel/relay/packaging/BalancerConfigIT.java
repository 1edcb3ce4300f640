package devicetunnel.relay.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.support.TestRelay;
import java.io.IOException;
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
 * client writes into X-Forwarded-For itself buys nothing. And a browser sticks to the relay that
 * answered it first (a cookie), while clients without it are spread. Clients connect from 127.0.0.2
 * and 127.0.0.3 (all of 127/8 is loopback here) to tell them apart.
 */
@Timeout(90)
class BalancerConfigIT {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;
    private TestRelay relay;
    private TestRelay other;
    private Process haproxy;

    @AfterEach
    void stop() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
        }
        for (TestRelay r : new TestRelay[] {relay, other}) {
            if (r != null) {
                r.close();
            }
        }
    }

    @Test
    void theRelaySeesEachClientsOwnAddressThroughTheBalancer() throws Exception {
        relay = new TestRelay(dir.resolve("relay"), BalancerConfigIT::trustingTheBalancer);
        int port = startBalancer(relay, relay);

        assertThat(failedLogin(port, "127.0.0.2", "").status()).isEqualTo(401);
        assertThat(failedLogin(port, "127.0.0.3", "X-Forwarded-For: 203.0.113.7\r\n").status()).isEqualTo(401);

        assertThat(relay.server().audit().recent(10, "login.failed", null)).extracting(AuditLog.Event::remoteIp)
                .as("each client's address, neither the balancer's nor one a client made up")
                .containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3");
    }

    @Test
    void aBrowserSticksToOneRelayWhileClientsWithoutTheCookieAreSpread() throws Exception {
        relay = new TestRelay(dir.resolve("relay-a"), BalancerConfigIT::trustingTheBalancer);
        other = new TestRelay(dir.resolve("relay-b"), BalancerConfigIT::trustingTheBalancer);
        int port = startBalancer(relay, other);

        Response first = failedLogin(port, "127.0.0.2", "");
        String cookie = first.header("Set-Cookie").split(";")[0];
        assertThat(cookie).startsWith("DTRELAY=");
        for (int i = 0; i < 5; i++) {
            failedLogin(port, "127.0.0.2", "Cookie: " + cookie + "\r\n");
        }
        int onA = relay.server().audit().recent(20, "login.failed", null).size();
        int onB = other.server().audit().recent(20, "login.failed", null).size();
        assertThat(List.of(onA, onB)).as("all six of the cookie's calls on one relay").containsExactlyInAnyOrder(6, 0);

        for (int i = 0; i < 4; i++) {
            failedLogin(port, "127.0.0.3", "");
        }
        assertThat(List.of(failedLoginsFrom(relay, "127.0.0.3"), failedLoginsFrom(other, "127.0.0.3")))
                .as("round robin without the cookie").containsExactly(2L, 2L);
    }

    private static long failedLoginsFrom(TestRelay relay, String address) {
        return relay.server().audit().recent(20, "login.failed", null).stream().filter(e -> address.equals(e.remoteIp())).count();
    }

    private static RelayConfig trustingTheBalancer(RelayConfig c) {
        return c.withHardening(c.hardening().withNetwork(c.hardening().network().withTrustedProxies(List.of("127.0.0.1"))));
    }

    /** deploy/haproxy-cluster.cfg in front of {@code a} and {@code b}, as make up-cluster fills it in; its port. */
    private int startBalancer(TestRelay a, TestRelay b) throws Exception {
        int port = freePort();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, Files.readString(REPO.resolve("deploy/haproxy-cluster.cfg"))
                .replace("@PORT@", Integer.toString(port)).replace("@PORT_A@", Integer.toString(a.server().port()))
                .replace("@PORT_B@", Integer.toString(b.server().port())));
        haproxy = new ProcessBuilder(haproxyBinary(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        // Up once both relays answer through it (its health checks have marked them up).
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .failFast("haproxy exited; see haproxy.log", () -> !haproxy.isAlive())
                .until(() -> request(port, "127.0.0.9", "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n", "").status() == 200
                        && request(port, "127.0.0.9", "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n", "").status() == 200);
        return port;
    }

    private static Response failedLogin(int port, String from, String extraHeaders) throws IOException {
        String body = "{\"username\":\"nobody\",\"password\":\"wrong guess\"}";
        return request(port, from, "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n" + extraHeaders, body);
    }

    private record Response(int status, String head) {
        String header(String name) {
            return head.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(l -> l.substring(name.length() + 1).strip()).findFirst().orElseThrow();
        }
    }

    /** One request on a connection from {@code from}: the response's status and head. */
    private static Response request(int port, String from, String head, String body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            String responseHead = response.substring(0, Math.max(0, response.indexOf("\r\n\r\n")));
            return new Response(Integer.parseInt(responseHead.substring(9, 12)), responseHead);
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
