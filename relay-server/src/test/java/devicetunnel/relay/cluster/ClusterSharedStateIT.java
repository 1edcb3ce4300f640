package devicetunnel.relay.cluster;

import devicetunnel.relay.support.TestConfigs;
import com.fasterxml.jackson.databind.JsonNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.agent.Agent;
import devicetunnel.agent.link.DeviceCredential;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.Protocol;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.RelayServer;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.auth.SecretTokens;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.ClusterServices;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one relay used to keep to itself, shared by a cluster: three relays (in this JVM, each its
 * own RelayServer with its own state dir, NATS connection and lease) on one real PostgreSQL schema
 * and a real NATS server, a real agent linked to relay C.
 *
 * <p>Relays A and B ping every 60 s, so their own sweeps never run during a test: whatever they cut
 * within seconds was announced by a sibling. Relay C pings every 2 s and shows the sweep backstop.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the revocation takes the shared device away: last
class ClusterSharedStateIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Well under A's and B's 60 s ping interval: only an announcement can cut that fast. */
    private static final Duration ANNOUNCED = Duration.ofSeconds(5);
    private static final List<String> SHARED_SECRETS = List.of("relay_ed25519", "user_ca_ed25519", "jwt.secret", "totp.key");
    private static final String PASSWORD = "correct horse battery";
    private static final int LOGINS_PER_ACCOUNT = 4;
    private static final int SESSIONS_PER_OPERATOR = 2;

    @TempDir
    static Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private String schema;
    private String prefix;
    private String enrollment;
    private RelayServer a;
    private RelayServer b;
    private RelayServer c;

    @BeforeAll
    void cluster() throws Exception {
        ClusterServices.requireAll();
        schema = ClusterServices.createSchema();
        prefix = ClusterServices.subjectPrefix();
        enrollment = SecretTokens.generate();
        try (RelayServer seed = new RelayServer(TestConfigs.relay(dir.resolve("seed")).withDatabaseUrl(dbUrl()))) {
            for (String name : List.of(TestRelay.ADMIN, "alice", "bob", "carol", "dave", "erin", "fred", "gwen", "hana", "ines", "jack")) {
                seed.users().add(new User(name, seed.passwordHasher().hash(PASSWORD.toCharArray()),
                        name.equals(TestRelay.ADMIN) ? User.Role.ADMIN : User.Role.OPERATOR, Map.of()));
            }
            seed.enrollments().create("test", new Enrollments.Request(true, true, Duration.ofHours(1), Map.of()), enrollment);
        }
        a = relay("relay-a", Duration.ofSeconds(60));
        b = relay("relay-b", Duration.ofSeconds(60));
        c = relay("relay-c", Duration.ofSeconds(2));
        Path tokenFile = dir.resolve("enroll.token");
        KeyFiles.writePrivate(tokenFile, enrollment.getBytes(StandardCharsets.UTF_8));
        Agent agent = new Agent(TestRelay.agentConfig(c.baseUrl(), "dev-1", tokenFile, dir.resolve("agent-1"), null, false))
                .start();
        closing.add(0, agent);
        await().atMost(WAIT).until(() -> c.registry().isOnline("dev-1"));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable each : closing) {
            each.close();
        }
        ClusterServices.dropSchema(schema);
    }

    @Test
    void aDeviceProofUsedOnOneRelayIsRefusedByEverySibling() throws Exception {
        KeyPair hostKey = KeyFiles.generate();
        a.enrollments().enroll(enrollment, "dev-proof", PublicKeyEntry.toString(hostKey.getPublic()), "127.0.0.1");
        String proof = new DeviceCredential("dev-proof", hostKey, Clock.systemUTC()).proof();

        assertThat(agentConnect(a, proof)).as("the first use, on relay A").isEqualTo(-1);
        assertThat(agentConnect(b, proof)).as("the same proof replayed on relay B").isEqualTo(401);
        assertThat(agentConnect(b, proof)).as("and again on B").isEqualTo(401);
        assertThat(agentConnect(c, proof)).as("and on relay C").isEqualTo(401);

        // The audit log is shared: one row from B (for both replays there) and one from C.
        List<AuditLog.Event> refusals = b.audit().recent(100, "device.auth.failed", "dev-proof");
        assertThat(refusals).as("each refusing relay audits once per window, not once per attempt").hasSize(2);
        assertThat(refusals).allSatisfy(e -> assertThat(e.detail()).isEqualTo("replayed device proof"));
        assertThat(agentConnect(c, new DeviceCredential("dev-proof", hostKey, Clock.systemUTC()).proof()))
                .as("a fresh proof still works on any relay").isEqualTo(-1);
    }

    @Test
    void aLogoutOnOneRelayEndsTheOperatorsSessionsOnAnother() throws Exception {
        String token = login(a, "alice");
        TerminalClient shell = openShell(b, token);
        HttpResponse<String> logout = send(a, "POST", "/api/v1/auth/logout", token);
        assertThat(logout.statusCode()).isEqualTo(204);
        assertThat(shell.awaitClose(ANNOUNCED)).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
    }

    @Test
    void aLogoutOnOneRelayEndsTheOperatorsWatchOfASessionOnAnother() throws Exception {
        String owner = login(b, TestRelay.ADMIN);
        TerminalClient shell = openShell(b, owner);
        String session = shell.awaitSessionId(WAIT);
        HttpResponse<String> link = sendJson(b, "POST", "/api/v1/sessions/" + session + "/shares", owner, Map.of("mode", "watch"));
        assertThat(link.statusCode()).as(link.body()).isEqualTo(201);
        String token = login(a, "gwen");
        URI watchUri = URI.create(b.baseUrl().replaceFirst("^http", "ws") + "/api/v1/sessions/" + session + "/watch?share="
                + Json.MAPPER.readTree(link.body()).get("token").asText());
        try (TerminalClient watcher = TerminalClient.connect(http, watchUri, token)) { // the watch is held by B
            watcher.awaitControl("session", WAIT);
            assertThat(send(a, "POST", "/api/v1/auth/logout", token).statusCode()).isEqualTo(204);
            assertThat(watcher.awaitClose(ANNOUNCED)).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
            assertThat(shell.isClosed()).as("the owner's session goes on").isFalse();
        } finally {
            shell.type("exit\n");
            shell.awaitClose(WAIT);
        }
    }

    @Test
    void anApiTokenRevokedOnOneRelayEndsItsSessionsOnAnother() throws Exception {
        HttpResponse<String> created = sendJson(a, "POST", "/api/v1/tokens", login(a, "erin"),
                Map.of("name", "cluster", "scopes", List.of("sessions:open"), "expiresInSeconds", 3600));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode token = Json.MAPPER.readTree(created.body());
        TerminalClient shell = openShell(b, token.get("token").asText()); // B sweeps every 60 s: only the announcement is quick
        assertThat(send(a, "DELETE", "/api/v1/tokens/" + token.get("id").asText(), login(a, "erin")).statusCode()).isEqualTo(204);
        assertThat(shell.awaitClose(ANNOUNCED)).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
        assertThat(send(c, "GET", "/api/v1/devices", token.get("token").asText()).statusCode()).isEqualTo(401);
    }

    @Test
    void aSecondFactorEnrolledOnOneRelayVerifiesOnEveryRelayAndOnlyOnce() throws Exception {
        String first = login(a, "fred");
        JsonNode begun = Json.MAPPER.readTree(sendJson(a, "POST", "/api/v1/account/mfa/totp", first, Map.of()).body());
        byte[] secret = base32(begun.get("secret").asText());
        long step = System.currentTimeMillis() / 30_000;
        assertThat(sendJson(a, "POST", "/api/v1/account/mfa/totp/confirm", first, Map.of("code", totp(secret, step)))
                .statusCode()).isEqualTo(200);
        HttpResponse<String> password = tryLogin(b, "fred", PASSWORD);
        String pending = Json.MAPPER.readTree(password.body()).get("mfaToken").asText();
        Map<String, String> next = Map.of("mfaToken", pending, "code", totp(secret, step + 1));
        assertThat(sendJson(b, "POST", "/api/v1/auth/mfa", null, next).statusCode()).as("B opens A's sealed secret").isEqualTo(200);
        assertThat(sendJson(c, "POST", "/api/v1/auth/mfa", null, next).statusCode()).as("the same code on C").isEqualTo(401);
    }

    /** RFC 6238 (HMAC-SHA1, 6 digits), as an authenticator app computes it. */
    private static String totp(byte[] secret, long step) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA1"));
        byte[] h = mac.doFinal(java.nio.ByteBuffer.allocate(8).putLong(step).array());
        int o = h[h.length - 1] & 0xf;
        int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
        return String.format("%06d", bin % 1_000_000);
    }

    private static byte[] base32(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char ch : text.toCharArray()) {
            buffer = (buffer << 5) | "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(ch);
            bits += 5;
            if (bits >= 8) {
                out.write(buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    @Test
    void anOperatorRemovedFromTheDatabaseLosesSessionsWithinOnePingInterval() throws Exception {
        String token = login(a, "dave");
        TerminalClient shell = openShell(c, token);
        assertThat(a.users().remove("dave")).isTrue(); // as `relay-server user remove` does: no relay is told
        assertThat(shell.awaitClose(Duration.ofSeconds(2 + 3))).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
    }

    @Test
    void aDeviceRevokedInTheDatabaseLosesSessionsOnARelayThatDoesNotHoldItsLink() throws Exception {
        Path tokenFile = dir.resolve("enroll.token");
        Agent agent = new Agent(TestRelay.agentConfig(a.baseUrl(), "dev-2", tokenFile, dir.resolve("agent-2"), null, false))
                .start();
        closing.add(0, agent);
        await().atMost(WAIT).until(() -> a.registry().isOnline("dev-2"));
        TerminalClient shell = openShell(c, "dev-2", login(a, TestRelay.ADMIN)); // link on A, session on C
        a.enrollments().revoke("dev-2", "cli"); // as `relay-server device revoke` does: no relay is told
        assertThat(shell.awaitClose(Duration.ofSeconds(2 + 3))).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
    }

    @Test
    void sessionCapsCountEveryRelay() throws Exception {
        String token = login(a, "bob");
        TerminalClient onA = openShell(a, token);
        TerminalClient onB = openShell(b, token);
        try (TerminalClient third = TerminalClient.connect(http, terminal(c), token)) {
            assertThat(third.awaitControl("error", WAIT).path("error").asText()).isEqualTo(ErrorCode.CONFLICT.code());
            assertThat(third.awaitClose(WAIT)).isEqualTo(ErrorCode.CONFLICT.closeCode());
        }
        int held = c.sessionLimits().heldOnDevice("dev-1");
        assertThat(held).as("C counts the slots A and B hold").isGreaterThanOrEqualTo(2);
        onA.type("exit\n"); // the shell ends, so does the session and its slot (a closed tab would only detach it)
        onA.awaitClose(WAIT);
        await().atMost(WAIT).until(() -> c.sessionLimits().heldOnDevice("dev-1") == held - 1);
        TerminalClient again = openShell(c, token); // the slot given back on A is free on C
        for (TerminalClient shell : List.of(again, onB)) {
            shell.type("exit\n");
            shell.awaitClose(WAIT);
        }
    }

    @Test
    void failedLoginsSpreadOverRelaysLockTheAccountOnAll() throws Exception {
        String admin = login(c, TestRelay.ADMIN);
        for (RelayServer relay : List.of(a, b, a, b)) {
            assertThat(tryLogin(relay, "carol", "wrong password").statusCode()).isEqualTo(401);
        }
        HttpResponse<String> onA = tryLogin(a, "carol", PASSWORD);
        HttpResponse<String> onB = tryLogin(b, "carol", PASSWORD);
        assertThat(onA.statusCode()).as("A, after 2 failures on A and 2 on B").isEqualTo(429);
        assertThat(onB.statusCode()).as("B too").isEqualTo(429);
        assertThat(onA.headers().firstValue("Retry-After")).isPresent();
        assertThat(a.audit().recent(100, "login.rate_limited", null).stream().filter(e -> "carol".equals(e.actor())))
                .as("one audit record for the run of refusals, cluster-wide").hasSize(1);

        HttpResponse<String> limits = send(c, "GET", "/api/v1/rate-limits", admin);
        assertThat(Json.MAPPER.readTree(limits.body()).findValuesAsText("key")).contains("carol");
        assertThat(send(c, "DELETE", "/api/v1/rate-limits/login-account/carol", admin).statusCode()).isEqualTo(204);
        assertThat(tryLogin(b, "carol", PASSWORD).statusCode()).as("lifted on C, so B lets carol in").isEqualTo(200);
    }

    @Test
    void aFleetRunStartedOnOneRelayIsFollowedListedAndCancelledThroughAnother() throws Exception {
        String hana = login(a, "hana");
        HttpResponse<String> started = sendJson(a, "POST", "/api/v1/runs", hana,
                Map.of("devices", List.of("dev-1"), "command", "echo from-$((6*7))"));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = Json.MAPPER.readTree(started.body()).path("summary").path("id").asText();
        assertThat(id).as("the run's id names the relay that holds it").startsWith("relay-a.");

        HttpResponse<String> events = send(b, "GET", "/api/v1/runs/" + id + "/events", hana); // ends with the run
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(events.body()).contains("event: device").contains("event: summary").contains("\"succeeded\"");
        HttpResponse<String> output = send(b, "GET", "/api/v1/runs/" + id + "/devices/dev-1/output?stream=stdout", hana);
        assertThat(output.statusCode()).isEqualTo(200);
        assertThat(output.body()).isEqualTo("from-42\n");
        assertThat(Json.MAPPER.readTree(send(c, "GET", "/api/v1/runs/" + id, hana).body()).path("summary").path("state")
                .asText()).isEqualTo("finished");

        HttpResponse<String> slow = sendJson(a, "POST", "/api/v1/runs", hana,
                Map.of("devices", List.of("dev-1"), "command", "sleep 120"));
        String slowId = Json.MAPPER.readTree(slow.body()).path("summary").path("id").asText();
        assertThat(Json.MAPPER.readTree(send(c, "GET", "/api/v1/runs", hana).body()).findValuesAsText("id"))
                .as("C lists A's runs, newest first").containsSubsequence(slowId, id);
        HttpResponse<String> cancelled = send(b, "DELETE", "/api/v1/runs/" + slowId, hana);
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(send(a, "GET", "/api/v1/runs/" + slowId, hana).body()).path("summary")
                .path("state").asText()).isEqualTo("cancelled");

        String alice = login(b, "alice");
        assertThat(send(b, "GET", "/api/v1/runs/" + id, alice).statusCode()).as("A decides who sees its runs").isEqualTo(404);
        assertThat(Json.MAPPER.readTree(send(b, "GET", "/api/v1/runs", alice).body())).isEmpty();
        assertThat(send(b, "GET", "/api/v1/runs/relay-z.00ff00ff00ff00ff", hana).statusCode())
                .as("a relay that is not alive holds nothing").isEqualTo(404);
    }

    @Test
    void aSessionOnOneRelayIsSharedWatchedAndManagedThroughTheOthers() throws Exception {
        String owner = login(b, "ines");
        TerminalClient shell = openShell(b, owner); // the session is held by B
        String session = shell.awaitSessionId(WAIT);
        String base = "/api/v1/sessions/" + session;
        try {
            // The owner's console is on A: A passes the share to B, which holds the session.
            HttpResponse<String> link = sendJson(a, "POST", base + "/shares", owner, Map.of("mode", "join"));
            assertThat(link.statusCode()).as(link.body()).isEqualTo(201);
            HttpResponse<String> byName = sendJson(a, "POST", base + "/shares", owner, Map.of("user", "jack"));
            assertThat(byName.statusCode()).as(byName.body()).isEqualTo(201);
            String jack = login(c, "jack");
            assertThat(Json.MAPPER.readTree(send(c, "GET", "/api/v1/shared-sessions", jack).body()).findValuesAsText("sessionId"))
                    .as("C lists what B shares with jack").contains(session);

            URI watchUri = URI.create(c.baseUrl().replaceFirst("^http", "ws") + base + "/watch?share="
                    + Json.MAPPER.readTree(link.body()).get("token").asText());
            try (TerminalClient watcher = TerminalClient.connect(http, watchUri, jack)) { // C carries the watch to B
                watcher.awaitControl("session", WAIT);
                shell.type("echo shared-$((6*7))\n");
                watcher.awaitOutput(TerminalClient.hasLine("shared-42"), WAIT);

                JsonNode listed = Json.MAPPER.readTree(send(a, "GET", base + "/shares", owner).body());
                String watcherId = listed.path("watchers").get(0).path("id").asText();
                assertThat(send(a, "POST", base + "/watchers/" + watcherId + "/typing", owner).statusCode()).isEqualTo(204);
                watcher.type("echo typed-$((7*6))\n");
                shell.awaitOutput(TerminalClient.hasLine("typed-42"), WAIT);

                assertThat(send(a, "DELETE", base + "/watchers/" + watcherId, owner).statusCode()).isEqualTo(204);
                assertThat(watcher.awaitClose(WAIT)).as("B's revocation reaches the watcher through C")
                        .isEqualTo(ErrorCode.FORBIDDEN.closeCode());
            }
            assertThat(send(a, "GET", "/api/v1/sessions/no-such-session/shares", owner).statusCode()).isEqualTo(404);
        } finally {
            shell.type("exit\n");
            shell.awaitClose(WAIT);
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void revokingADeviceOnOneRelayEndsItsSessionsOnAnother() throws Exception {
        String admin = login(a, TestRelay.ADMIN);
        TerminalClient shell = openShell(b, admin);
        assertThat(send(a, "POST", "/api/v1/devices/dev-1/revoke", admin).statusCode()).isEqualTo(200);
        assertThat(shell.awaitClose(ANNOUNCED)).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
        await().atMost(ANNOUNCED).until(() -> !c.registry().isOnline("dev-1")); // its link, on C, too
    }

    private RelayServer relay(String id, Duration pingInterval) throws Exception {
        Path state = Files.createDirectories(dir.resolve(id));
        for (String name : SHARED_SECRETS) {
            Files.copy(dir.resolve("seed").resolve(name), state.resolve(name));
        }
        RelayConfig.Hardening hardening = RelayConfig.Hardening.defaults()
                .withRates(1000, 1000) // per address: every request here comes from 127.0.0.1
                .withSessionCaps(8, SESSIONS_PER_OPERATOR);
        hardening = hardening.withNetwork(hardening.network().withRates(LOGINS_PER_ACCOUNT, 1000));
        RelayConfig config = TestConfigs.relay(state).withDatabaseUrl(dbUrl()).withPingInterval(pingInterval)
                .withHardening(hardening)
                .withCluster(new ClusterConfig(ClusterServices.NATS_URL, ClusterConfig.ADVERTISE_LISTENER, id, prefix,
                        Duration.ofSeconds(15)));
        RelayServer relay = new RelayServer(config).start();
        closing.add(relay);
        return relay;
    }

    private String dbUrl() {
        return ClusterServices.jdbcUrl(schema) + "&user=" + ClusterServices.PG_USER;
    }

    /** The status an agent's control-link upgrade with this proof gets: -1 when accepted. */
    private static int agentConnect(RelayServer relay, String proof) throws Exception {
        return TerminalClient.refusedStatus(HttpClient.newHttpClient().newWebSocketBuilder()
                        .header(Protocol.DEVICE_ID_HEADER, "dev-proof").header("Authorization", "Bearer " + proof),
                URI.create(relay.baseUrl().replaceFirst("^http", "ws") + Protocol.CONNECT_PATH));
    }

    private TerminalClient openShell(RelayServer relay, String token) throws Exception {
        return openShell(relay, "dev-1", token);
    }

    private TerminalClient openShell(RelayServer relay, String deviceId, String token) throws Exception {
        TerminalClient shell = TerminalClient.connect(http, terminal(relay, deviceId), token);
        assertThat(shell.awaitSessionId(WAIT)).isNotBlank();
        shell.type("echo ready-$((6*7))\n");
        shell.awaitOutput(TerminalClient.hasLine("ready-42"), WAIT);
        return shell;
    }

    private static URI terminal(RelayServer relay) {
        return terminal(relay, "dev-1");
    }

    private static URI terminal(RelayServer relay, String deviceId) {
        return URI.create(relay.baseUrl().replaceFirst("^http", "ws") + "/api/v1/devices/" + deviceId
                + "/terminal?cols=80&rows=24");
    }

    private String login(RelayServer relay, String user) throws Exception {
        HttpResponse<String> response = tryLogin(relay, user, PASSWORD);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body()).get("token").asText();
    }

    private HttpResponse<String> tryLogin(RelayServer relay, String user, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("username", user, "password", password))))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> sendJson(RelayServer relay, String method, String path, String token, Object body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(relay.baseUrl() + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(RelayServer relay, String method, String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + path))
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
