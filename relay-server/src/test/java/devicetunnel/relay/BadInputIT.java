package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.agent.link.DeviceCredential;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.Protocol;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.support.LogCapture;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken input against a running relay. Every case gets its documented error (status,
 * close code, JSON body); afterwards the relay still answers, a bystander session still works where
 * one is open, and no credential used in the test appears in anything logged.
 */
@Timeout(180)
class BadInputIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ALLOWED_ORIGIN = "https://ops.example.com";

    @TempDir
    Path dir;
    TestRelay relay;
    LogCapture logs;
    String admin;
    final List<String> secrets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        logs = new LogCapture();
        relay = new TestRelay(dir, c -> c.withHardening(c.hardening()
                .withAllowedOrigins(List.of(ALLOWED_ORIGIN)).withRates(20, 8)));
        admin = relay.adminToken();
        secrets.add(TestRelay.PASSWORD);
        secrets.add(admin);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            assertThat(relay.get("/healthz", null).statusCode()).as("relay still up").isEqualTo(200);
            List<String> lines = logs.lines();
            assertThat(lines).as("something was logged").isNotEmpty();
            for (String secret : secrets) {
                assertThat(lines).as("logs must not contain a credential").noneMatch(l -> l.contains(secret));
            }
        } finally {
            logs.close();
            relay.close();
        }
    }

    @Test
    void forgedExpiredUnsignedMisaddressedAndTamperedTokensAreRefused() throws Exception {
        byte[] relaySecret = Files.readString(dir.resolve("relay").resolve("jwt.secret")).strip().getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now();
        List<String> bad = List.of(
                token(now, "admin").signWith(Keys.hmacShaKeyFor("an-attacker-chosen-secret-of-32-bytes!".getBytes(StandardCharsets.UTF_8))).compact(),
                token(now.minus(Duration.ofHours(2)), "admin").signWith(Keys.hmacShaKeyFor(relaySecret)).compact(),
                token(now, "admin").compact(), // alg: none
                Jwts.builder().issuer(TokenService.ISSUER).audience().add("some-other-service").and().subject("admin")
                        .expiration(Date.from(now.plusSeconds(600))).signWith(Keys.hmacShaKeyFor(relaySecret)).compact(),
                Jwts.builder().issuer(TokenService.ISSUER).audience().add(TokenService.AUDIENCE).and().subject("admin")
                        .notBefore(Date.from(now.plusSeconds(3600))).expiration(Date.from(now.plusSeconds(7200)))
                        .signWith(Keys.hmacShaKeyFor(relaySecret)).compact(),
                tampered(relay.login(TestRelay.ADMIN, TestRelay.PASSWORD)),
                "garbage", "a.b.c", "x".repeat(6000));
        secrets.addAll(bad.subList(0, 6));
        for (String token : bad) {
            HttpResponse<String> response = relay.get("/api/v1/devices", token);
            assertThat(response.statusCode()).as(token.substring(0, Math.min(40, token.length()))).isEqualTo(401);
            assertThat(Json.MAPPER.readTree(response.body()).get("error").asText()).isEqualTo("unauthorized");
        }
        // Headers beyond Jetty's 8 KiB request-header limit are refused by the transport, before any of our code.
        assertThat(relay.get("/api/v1/devices", "x".repeat(10_000)).statusCode()).isEqualTo(431);
        // Websocket upgrades count against the session-open rate (8 a minute here): three representatives.
        for (String token : bad.subList(1, 4)) {
            assertThat(TerminalClient.refusedStatus(relay.ws("/api/v1/devices/dev-1/terminal"), token)).isEqualTo(401);
            WebSocket.Builder viaSubprotocol = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("jwt", token);
            assertThat(TerminalClient.refusedStatus(viaSubprotocol, relay.ws("/api/v1/devices/dev-1/terminal"))).isEqualTo(401);
        }
        HttpResponse<String> html = relay.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/no/such/page"))
                .header("Accept", "text/html").build());
        assertThat(html.statusCode()).isEqualTo(404);
        assertThat(html.headers().firstValue("Content-Type").orElse("")).contains("text/html");
    }

    @Test
    void browserRequestsFromForeignOriginsAreRefused() throws Exception {
        relay.onlineDevice("dev-1");
        URI terminal = relay.ws("/api/v1/devices/dev-1/terminal");
        assertThat(TerminalClient.refusedStatus(withOrigin("https://evil.example"), terminal)).isEqualTo(403);
        assertThat(TerminalClient.refusedStatus(withOrigin("null"), terminal)).isEqualTo(403);
        try (TerminalClient same = TerminalClient.connect(withOrigin(relay.baseUrl()), terminal);
             TerminalClient listed = TerminalClient.connect(withOrigin(ALLOWED_ORIGIN), terminal)) {
            same.awaitControl("session", WAIT);
            listed.awaitControl("session", WAIT);
        }
        HttpResponse<String> crossSiteLogin = relay.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/api/v1/auth/login"))
                .header("Origin", "https://evil.example").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("username", "admin", "password", TestRelay.PASSWORD))))
                .build());
        assertThat(crossSiteLogin.statusCode()).isEqualTo(403);
        assertThat(Json.MAPPER.readTree(crossSiteLogin.body()).get("error").asText()).isEqualTo("forbidden");
    }

    @Test
    void oversizedAndMalformedFramesEndOnlyTheirOwnSession() throws Exception {
        relay.onlineDevice("dev-1");
        try (TerminalClient bystander = relay.terminal("dev-1", admin, 80, 24)) {
            bystander.awaitControl("session", WAIT);

            assertClosed(c -> c.sendText("{\"type\":\"ack\",\"bytes\":1,\"pad\":\"" + "x".repeat(5000) + "\"}"), "payload_too_large", 4413);
            assertClosed(c -> c.sendText("{not json"), "bad_request", 4400);
            assertClosed(c -> c.sendText("[1,2,3]"), "bad_request", 4400);
            assertClosed(c -> c.sendText("{\"type\":\"resize\",\"cols\":\"wide\",\"rows\":-1}"), "bad_request", 4400);
            assertClosed(c -> c.sendText("{\"type\":\"ack\",\"bytes\":-5}"), "bad_request", 4400);
            try (TerminalClient huge = relay.terminal("dev-1", admin, 80, 24)) {
                huge.awaitControl("session", WAIT);
                huge.sendBinary(Protocol.MAX_FRAME_BYTES + 1);
                assertThat(huge.awaitClose(WAIT)).isEqualTo(1009); // RFC 6455 "message too big", from the transport
            }

            bystander.type("echo still-$((2+3))\r");
            bystander.awaitOutput(TerminalClient.hasLine("still-5"), WAIT);
        }
    }

    @Test
    void garbageInEveryJsonFieldIsA400NamingTheField() throws Exception {
        String[] logins = {"{}", "[]", "null", "not json", "{\"username\":1,\"password\":\"x\"}",
                "{\"username\":\"admin\",\"password\":null}", "{\"username\":\"admin\",\"password\":\"x\",\"role\":\"admin\"}",
                "{\"username\":\"" + "u".repeat(100) + "\",\"password\":\"x\"}"};
        for (String body : logins) {
            assertError(relay.post("/api/v1/auth/login", null, body), 400, "bad_request");
        }
        assertError(relay.post("/api/v1/auth/login", null, "{\"username\":\"" + "u".repeat(5000) + "\"}"), 413, "payload_too_large");

        String[] enrollments = {"{\"reusable\":\"yes\"}", "{\"autoAccept\":1}", "{\"expiresInSeconds\":-1}",
                "{\"expiresInSeconds\":1e30}", "{\"expiresInSeconds\":\"60\"}", "{\"labels\":\"env=lab\"}",
                "{\"labels\":{\"bad key\":\"x\"}}", "{\"labels\":{\"env\":\"a,b=c\"}}", "{\"labels\":{\"env\":7}}",
                "{\"surprise\":true}", "[]"};
        for (String body : enrollments) {
            HttpResponse<String> response = relay.post("/api/v1/enrollments", admin, body);
            assertError(response, 400, "bad_request");
        }
        assertThat(Json.MAPPER.readTree(relay.post("/api/v1/enrollments", admin, "{\"expiresInSeconds\":-1}").body())
                .get("message").asText()).contains("expiresInSeconds");

        String enrollment = relay.enrollmentToken(true, true, Map.of());
        secrets.add(enrollment);
        String key = PublicKeyEntry.toString(KeyFiles.generate().getPublic());
        String[] enrolls = {"{\"deviceId\":\"../../etc/passwd\",\"hostKey\":\"" + key + "\"}",
                "{\"deviceId\":\"dev-x\",\"hostKey\":\"ssh-ed25519 AAAAnotbase64!!\"}",
                "{\"deviceId\":\"dev-x\",\"hostKey\":\"ssh-rsa AAAAB3NzaC1yc2E\"}",
                "{\"deviceId\":42,\"hostKey\":\"" + key + "\"}", "{\"deviceId\":\"dev-x\"}", "{}"};
        for (String body : enrolls) {
            assertError(enroll(enrollment, body), 400, "bad_request");
        }
        assertError(enroll(null, "{\"deviceId\":\"dev-x\",\"hostKey\":\"" + key + "\"}"), 401, "unauthorized");
        assertError(relay.get("/api/v1/audit?limit=abc", admin), 400, "bad_request");
        assertError(relay.get("/api/v1/audit?event=DROP%20TABLE", admin), 400, "bad_request");
        assertError(relay.get("/api/v1/devices?status=everything", admin), 400, "bad_request");
        assertThat(relay.server().devices().list()).isEmpty();
    }

    @Test
    void unknownAndPathTraversalDeviceIdsAreNotFound() throws Exception {
        assertError(relay.get("/api/v1/devices/no-such-device", admin), 404, "not_found");
        assertThat(relay.get("/api/v1/devices/..%2F..%2Fetc%2Fpasswd", admin).statusCode()).isIn(400, 404);
        assertThat(relay.get("/api/v1/devices/%2e%2e", admin).statusCode()).isIn(400, 404);
        assertError(relay.post("/api/v1/devices/no-such-device/accept", admin, ""), 404, "not_found");
        assertError(relay.post("/api/v1/devices/..%2Fx/revoke", admin, ""), 404, "not_found");
        try (TerminalClient term = relay.terminal("no-such-device", admin, 80, 24)) {
            assertThat(term.awaitControl("error", WAIT).get("error").asText()).isEqualTo("not_found");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4404);
        }
        assertThat(agentHandshake("../../etc/passwd", "x")).isEqualTo(401);
        assertThat(agentHandshake("no-such-device", "x")).isEqualTo(401);
    }

    @Test
    void replayedExpiredAndForeignDeviceProofsAreRefused() throws Exception {
        KeyPair hostKey = relay.enrollDevice("dev-1", Map.of());
        DeviceCredential device = new DeviceCredential("dev-1", hostKey, Clock.systemUTC());
        String proof = device.proof();
        secrets.add(proof);
        assertThat(agentHandshake("dev-1", proof)).isEqualTo(101);
        assertThat(agentHandshake("dev-1", proof)).isEqualTo(401); // replayed
        String expired = device.proof(Instant.now().minus(Duration.ofMinutes(10)), Duration.ofSeconds(60), "old");
        assertThat(agentHandshake("dev-1", expired)).isEqualTo(401);
        String longLived = device.proof(Instant.now(), Duration.ofDays(1), "long");
        assertThat(agentHandshake("dev-1", longLived)).isEqualTo(401);
        String foreign = new DeviceCredential("dev-1", KeyFiles.generate(), Clock.systemUTC()).proof();
        assertThat(agentHandshake("dev-1", foreign)).isEqualTo(401);
        secrets.addAll(List.of(expired, longLived, foreign));
        assertThat(relay.server().audit().recent(50, "device.auth.failed", "dev-1")).extracting(AuditLog.Event::detail)
                .contains("replayed device proof", "expired device proof",
                        "device proof does not verify against the enrolled host key");
    }

    @Test
    void pendingAndRevokedDevicesAreRefused() throws Exception {
        KeyPair pendingKey = KeyFiles.generate();
        relay.server().enrollments().enroll(relay.enrollmentToken(false, false, Map.of()), "pending-1",
                PublicKeyEntry.toString(pendingKey.getPublic()), "127.0.0.1");
        assertThat(agentHandshake("pending-1", new DeviceCredential("pending-1", pendingKey, Clock.systemUTC()).proof()))
                .isEqualTo(403);
        try (TerminalClient term = relay.terminal("pending-1", admin, 80, 24)) {
            assertThat(term.awaitControl("error", WAIT).get("error").asText()).isEqualTo("forbidden");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4403);
        }
        KeyPair revokedKey = relay.enrollDevice("revoked-1", Map.of());
        relay.post("/api/v1/devices/revoked-1/revoke", admin, "");
        assertThat(agentHandshake("revoked-1", new DeviceCredential("revoked-1", revokedKey, Clock.systemUTC()).proof()))
                .isEqualTo(403);
        try (TerminalClient term = relay.terminal("revoked-1", admin, 80, 24)) {
            JsonNode error = term.awaitControl("error", WAIT);
            assertThat(error.get("error").asText()).isEqualTo("forbidden");
            assertThat(error.get("message").asText()).contains("revoked");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4403);
        }
        relay.addUser("olga", "operator password", devicetunnel.relay.store.User.Role.OPERATOR, Map.of());
        assertError(relay.get("/api/v1/devices/revoked-1", relay.login("olga", "operator password")), 404, "not_found");
    }

    @Test
    void aChangedHostKeyIsRefusedAtEnrollmentAndAtTheSshLayerAndAudited() throws Exception {
        String reusable = relay.enrollmentToken(true, true, Map.of());
        secrets.add(reusable);
        Path tokenFile = relay.tokenFile(reusable);
        relay.startAgent("dev-1", dir.resolve("original"), tokenFile);
        relay.awaitOnline("dev-1", true);

        // A re-installed (or impostor) agent: new host key, same id, valid token. The relay says no.
        relay.startAgent("dev-1", dir.resolve("impostor"), tokenFile);
        org.awaitility.Awaitility.await().atMost(WAIT)
                .until(() -> !relay.server().audit().recent(50, "device.hostkey.changed", "dev-1").isEmpty());
        assertThat(Files.exists(dir.resolve("impostor").resolve("enrollment.json"))).isFalse();

        // The record says another key than the device presents over SSH: the session is refused.
        relay.server().devices().setHostKey("dev-1", PublicKeyEntry.toString(KeyFiles.generate().getPublic()));
        try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) {
            JsonNode error = term.awaitControl("error", WAIT);
            assertThat(error.get("error").asText()).isEqualTo("host_key_mismatch");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4502);
        }
        assertThat(relay.server().audit().recent(50)).extracting(AuditLog.Event::event)
                .contains("device.hostkey.changed", "device.hostkey.mismatch", "session.refused");
    }

    @Test
    void floodsPastTheRateLimitsGet429WithRetryAfterAndLeaveSessionsAlone() throws Exception {
        relay.onlineDevice("dev-1");
        try (TerminalClient bystander = relay.terminal("dev-1", admin, 80, 24)) {
            bystander.awaitControl("session", WAIT);
            HttpResponse<String> limited = null;
            for (int i = 0; i < 40 && limited == null; i++) {
                HttpResponse<String> r = relay.post("/api/v1/auth/login", null,
                        Json.write(Map.of("username", "admin", "password", "guess-" + i)));
                if (r.statusCode() == 429) {
                    limited = r;
                } else {
                    assertThat(r.statusCode()).isEqualTo(401);
                }
            }
            assertThat(limited).as("login flood limited").isNotNull();
            assertThat(limited.headers().firstValueAsLong("Retry-After").orElse(0)).isBetween(1L, 60L);
            assertError(limited, 429, "too_many_requests");
            assertThat(relay.post("/api/v1/auth/login", null, Json.write(Map.of("username", "admin", "password", TestRelay.PASSWORD)))
                    .statusCode()).isEqualTo(429); // even the right password waits: no guessing through the limit
            assertThat(relay.server().audit().recent(100, "login.rate_limited", null)).hasSize(1);

            int status = -1;
            for (int i = 0; i < 20 && status != 429; i++) {
                status = TerminalClient.refusedStatus(relay.ws("/api/v1/devices/dev-1/terminal"), admin);
            }
            assertThat(status).as("session-open flood limited").isEqualTo(429);

            bystander.type("echo survived-$((6*7))\r");
            bystander.awaitOutput(TerminalClient.hasLine("survived-42"), WAIT);
        }
    }

    private interface Abuse {
        void apply(TerminalClient client) throws Exception;
    }

    private void assertClosed(Abuse abuse, String error, int closeCode) throws Exception {
        try (TerminalClient client = relay.terminal("dev-1", admin, 80, 24)) {
            client.awaitControl("session", WAIT);
            abuse.apply(client);
            assertThat(client.awaitControl("error", WAIT).get("error").asText()).isEqualTo(error);
            assertThat(client.awaitClose(WAIT)).isEqualTo(closeCode);
        }
    }

    private static io.jsonwebtoken.JwtBuilder token(Instant issuedAt, String subject) {
        return Jwts.builder().issuer(TokenService.ISSUER).audience().add(TokenService.AUDIENCE).and().subject(subject)
                .issuedAt(Date.from(issuedAt)).expiration(Date.from(issuedAt.plus(Duration.ofMinutes(30))));
    }

    private static String tampered(String token) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = payload.replaceFirst("\"exp\":\\d+", "\"exp\":4102444800");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(forged.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
    }

    private WebSocket.Builder withOrigin(String origin) {
        return HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", origin).header("Authorization", "Bearer " + admin);
    }

    private HttpResponse<String> enroll(String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(relay.baseUrl() + Protocol.ENROLL_PATH))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return relay.send(b.build());
    }

    private static void assertError(HttpResponse<String> response, int status, String error) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    /** 101 when the control link was accepted (then closed), else the refusal's HTTP status. */
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
}
