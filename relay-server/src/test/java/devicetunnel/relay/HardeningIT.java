package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.agent.link.DeviceCredential;
import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.Protocol;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.SecurityHeaders;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.LogCapture;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay-side defences of the security review (docs/SECURITY.md names the test for each). Every
 * case ends with the relay still answering.
 */
@Timeout(180)
class HardeningIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    TestRelay relay;

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            try {
                assertThat(relay.get("/healthz", null).statusCode()).as("relay still up").isEqualTo(200);
            } finally {
                relay.close();
            }
        }
    }

    @Test
    void logoutAndPasswordChangesEndEveryTokenAndCutOpenSessions() throws Exception {
        relay = new TestRelay(dir);
        relay.onlineDevice("dev-1");
        relay.addUser("olga", "olga's long password", User.Role.OPERATOR, Map.of());
        String kept = relay.login("olga", "olga's long password");
        String other = relay.login("olga", "olga's long password");
        try (TerminalClient term = relay.terminal("dev-1", kept, 80, 24)) {
            term.awaitControl("session", WAIT);
            assertThat(relay.post("/api/v1/auth/logout", other, "").statusCode()).isEqualTo(204);
            // Both tokens die, not only the one that logged out, and the open websocket is cut.
            assertThat(relay.get("/api/v1/devices", other).statusCode()).isEqualTo(401);
            assertThat(relay.get("/api/v1/devices", kept).statusCode()).isEqualTo(401);
            JsonNode error = term.awaitControl("error", WAIT);
            assertThat(error.get("message").asText()).contains("logged out");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4403);
        }
        String fresh = relay.login("olga", "olga's long password");
        assertThat(relay.get("/api/v1/devices", fresh).statusCode()).isEqualTo(200);
        relay.server().users().setPasswordHash("olga", relay.server().passwordHasher().hash("a new password".toCharArray()));
        assertThat(relay.get("/api/v1/devices", fresh).statusCode()).isEqualTo(401);
        assertThat(relay.login("olga", "a new password")).isNotBlank();
        assertThat(relay.server().audit().recent(50, "logout", null)).hasSize(1);
    }

    @Test
    void agentConnectsCheckStatusFirstAggregateRefusalsAndAreRateLimited() throws Exception {
        relay = new TestRelay(dir, c -> c.withHardening(c.hardening().withNetwork(c.hardening().network().withRates(10, 30))));
        KeyPair pendingKey = KeyFiles.generate();
        relay.server().enrollments().enroll(relay.enrollmentToken(false, false, Map.of()), "pending-1",
                PublicKeyEntry.toString(pendingKey.getPublic()), "127.0.0.1");
        // A pending device is refused on its status, before any proof is looked at.
        assertThat(agentHandshake("pending-1", "not-even-a-jwt")).isEqualTo(403);

        relay.enrollDevice("dev-1", Map.of());
        for (int i = 0; i < 20; i++) {
            assertThat(agentHandshake("dev-1", "garbage-" + i)).isEqualTo(401);
        }
        // Twenty refusals for one reason: one audit row now, one summary at the end of the interval.
        assertThat(relay.server().audit().recent(100, "device.auth.failed", "dev-1")).hasSize(1);
        int status = 0;
        for (int i = 0; i < 40 && status != 429; i++) {
            status = agentHandshake("dev-1", "garbage");
        }
        assertThat(status).as("connect flood from one address limited").isEqualTo(429);
        assertThat(relay.server().audit().recent(100, "device.connect.rate_limited", null)).hasSize(1);
    }

    @Test
    void anAgentFloodingItsControlLinkIsCutAndMayHelloOnlyOnce() throws Exception {
        relay = new TestRelay(dir);
        KeyPair hostKey = relay.enrollDevice("dev-1", Map.of());
        String hello = ControlCodec.encode(new ControlMessage.Hello(Protocol.VERSION, "test",
                PublicKeyEntry.toString(hostKey.getPublic())));

        RawLink twice = RawLink.open(relay, "dev-1", hostKey);
        twice.send(hello);
        await().atMost(WAIT).until(() -> relay.server().registry().isOnline("dev-1"));
        twice.send(hello);
        assertThat(twice.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(4400);

        RawLink flood = RawLink.open(relay, "dev-1", hostKey);
        flood.send(hello);
        int audited = relay.server().audit().recent(1000).size();
        for (int i = 0; i < 500 && !flood.closeCode.isDone(); i++) {
            flood.send(ControlCodec.encode(new ControlMessage.Ping(i)));
        }
        assertThat(flood.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(4429);
        assertThat(relay.server().audit().recent(1000).size() - audited).as("no audit row per message").isLessThan(5);
        relay.onlineDevice("dev-2"); // others still get in
    }

    @Test
    void everyResponseCarriesSecurityHeadersAndForeignHostsAndSchemesAreRefused() throws Exception {
        relay = new TestRelay(dir);
        for (String path : List.of("/", "/index.html", "/api/v1/devices", "/no/such/page", "/healthz")) {
            HttpResponse<String> r = relay.get(path, null);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValue(SecurityHeaders.CSP);
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
            assertThat(r.headers().firstValue("Strict-Transport-Security")).as("no HSTS over plain HTTP").isEmpty();
        }
        assertThat(SecurityHeaders.CSP).contains("frame-ancestors 'none'").contains("script-src 'self' 'wasm-unsafe-eval';");

        // DNS rebinding: a page on evil.example resolved to 127.0.0.1 is refused by name.
        assertThat(rawStatus("/healthz", "evil.example:" + relay.server().port())).isEqualTo(400);
        assertThat(rawStatus("/api/v1/devices", "evil.example")).isEqualTo(400);
        assertThat(rawStatus("/healthz", "localhost:" + relay.server().port())).isEqualTo(200);
        assertThat(rawStatus("/healthz", "127.0.0.1:" + relay.server().port())).isEqualTo(200);

        // Same host and port but another scheme is another origin.
        String https = relay.baseUrl().replace("http://", "https://");
        assertThat(loginFromOrigin(https).statusCode()).isEqualTo(403);
        assertThat(loginFromOrigin(relay.baseUrl()).statusCode()).isEqualTo(200);
    }

    @Test
    void behindATlsProxyCookiesAreSecureHstsIsSentAndOnlyHttpsIsSameOrigin() throws Exception {
        relay = new TestRelay(dir, c -> c.withListen("127.0.0.1", true));
        HttpResponse<String> login = loginFromOrigin(relay.baseUrl().replace("http://", "https://"));
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().allValues("Set-Cookie")).singleElement().satisfies(c ->
                assertThat(c).contains("Secure").contains("HttpOnly"));
        assertThat(login.headers().firstValue("Strict-Transport-Security")).hasValue(SecurityHeaders.HSTS);
        assertThat(loginFromOrigin(relay.baseUrl()).statusCode()).isEqualTo(403);
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxiesAndAccountsHaveTheirOwnLimit() throws Exception {
        relay = new TestRelay(dir, c -> c.withHardening(c.hardening().withRates(3, 30)
                .withNetwork(c.hardening().network().withTrustedProxies(List.of("127.0.0.0/8")).withRates(5, 120))));
        // Behind the (trusted) proxy each client has its own address bucket...
        for (int i = 0; i < 5; i++) {
            assertThat(loginAs("via proxy " + i, "198.51.100." + i).statusCode()).isEqualTo(401);
        }
        // ...and guesses at one account from many addresses still meet the per-account limit.
        int status = 0;
        for (int i = 10; i < 30 && status != 429; i++) {
            status = loginAs(TestRelay.ADMIN, "198.51.100." + i).statusCode();
        }
        assertThat(status).as("per-account limit").isEqualTo(429);
        assertThat(relay.server().audit().recent(10, "login.failed", null)).extracting(AuditLog.Event::remoteIp)
                .allMatch(ip -> ip.startsWith("198.51.100."));
    }

    @Test
    void forwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
        relay = new TestRelay(dir, c -> c.withHardening(c.hardening().withRates(3, 30)));
        int status = 0;
        for (int i = 0; i < 10 && status != 429; i++) {
            status = loginAs("user" + i, "203.0.113." + i).statusCode();
        }
        assertThat(status).as("spoofed X-Forwarded-For does not buy fresh buckets").isEqualTo(429);
        assertThat(relay.server().audit().recent(10, "login.failed", null)).extracting(AuditLog.Event::remoteIp)
                .noneMatch(ip -> ip.startsWith("203.0.113."));
    }

    @Test
    void usernamesAreLoggedWithoutLineBreaks() throws Exception {
        relay = new TestRelay(dir);
        try (LogCapture logs = new LogCapture()) {
            String forged = "mallory\r\n2026-12-01 INFO audit login.ok actor=admin";
            relay.post("/api/v1/auth/login", null, Json.write(Map.of("username", forged, "password", "x")));
            assertThat(logs.lines()).filteredOn(l -> l.contains("mallory")).isNotEmpty()
                    .allMatch(l -> !l.contains("\r") && !l.contains("\n"));
            assertThat(relay.server().audit().recent(5, "login.failed", null)).extracting(AuditLog.Event::actor)
                    .allMatch(a -> !a.contains("\n"));
        }
    }

    @Test
    void resumesAreRateLimited() throws Exception {
        relay = new TestRelay(dir, c -> c.withHardening(c.hardening().withRates(10, 4)));
        String token = relay.adminToken();
        int status = 0;
        for (int i = 0; i < 20 && status != 429; i++) {
            status = TerminalClient.refusedStatus(relay.ws("/api/v1/sessions/no-such-session/terminal?offset=0"), token);
        }
        assertThat(status).isEqualTo(429);
    }

    private HttpResponse<String> loginFromOrigin(String origin) throws Exception {
        return relay.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/api/v1/auth/login"))
                .header("Origin", origin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("username", TestRelay.ADMIN, "password", TestRelay.PASSWORD))))
                .build());
    }

    private HttpResponse<String> loginAs(String username, String forwardedFor) throws Exception {
        return relay.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/api/v1/auth/login"))
                .header("X-Forwarded-For", forwardedFor).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("username", username, "password", "wrong guess"))))
                .build());
    }

    /** The status of a GET with a chosen Host header (the JDK client will not set one). */
    private int rawStatus(String path, String host) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", relay.server().port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    private int agentHandshake(String deviceId, String proof) throws Exception {
        try {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header(Protocol.DEVICE_ID_HEADER, deviceId)
                    .header("Authorization", "Bearer " + proof)
                    .buildAsync(relay.ws(Protocol.CONNECT_PATH), new WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS);
            ws.abort();
            return 101;
        } catch (ExecutionException e) {
            return ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    /** A control link driven by hand: it sends what the test says and reads everything, recording the close code. */
    private static final class RawLink implements WebSocket.Listener {
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        WebSocket socket;

        static RawLink open(TestRelay relay, String deviceId, KeyPair hostKey) throws Exception {
            RawLink link = new RawLink();
            link.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header(Protocol.DEVICE_ID_HEADER, deviceId)
                    .header("Authorization", "Bearer " + new DeviceCredential(deviceId, hostKey, Clock.systemUTC()).proof())
                    .buildAsync(relay.ws(Protocol.CONNECT_PATH), link).get(10, TimeUnit.SECONDS);
            return link;
        }

        void send(String text) {
            try {
                socket.sendText(text, true).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the relay is closing the link: onClose reports the code
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.complete(-1);
        }
    }
}
