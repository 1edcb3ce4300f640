package devicetunnel.relay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.SqliteFiles;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.OperatorCli;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** API tokens against a real relay, a real agent and the real CLI: scopes, revocation, expiry, the owner's rights. */
@Timeout(180)
class ApiTokenIT {
    private static final String OPERATOR = "robot-owner";
    private static final String PASSWORD = "owner's long passphrase";
    private static final Duration PING = Duration.ofSeconds(2); // RelayConfig.forTests

    @TempDir
    Path dir;
    TestRelay relay;
    String login;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir);
        relay.addUser(OPERATOR, PASSWORD, User.Role.OPERATOR, Map.of());
        login = relay.login(OPERATOR, PASSWORD);
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    private JsonNode create(String bearer, String name, List<String> scopes, long seconds) throws Exception {
        HttpResponse<String> r = relay.send("POST", "/api/v1/tokens", bearer,
                Map.of("name", name, "scopes", scopes, "expiresInSeconds", seconds));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void createdTokenIsShownOnceListedWithLastUseAndRefusedAtOnceAfterRevocation() throws Exception {
        JsonNode created = create(login, "ci deploy", List.of("devices:read"), 3600);
        String token = created.get("token").asText();
        String id = created.get("id").asText();
        assertThat(token).startsWith("dtk_" + id + "_");

        assertThat(relay.get("/api/v1/devices", token).statusCode()).isEqualTo(200);
        JsonNode listed = Json.MAPPER.readTree(relay.get("/api/v1/tokens", login).body());
        assertThat(listed).hasSize(1);
        JsonNode row = listed.get(0);
        assertThat(row.get("name").asText()).isEqualTo("ci deploy");
        assertThat(row.get("scopes").toString()).isEqualTo("[\"devices:read\"]");
        assertThat(row.get("lastUsedAt").isNull()).isFalse();
        assertThat(row.has("token")).isFalse();
        assertThat(row.toString()).doesNotContain(token.substring(token.lastIndexOf('_') + 1));

        // Others see neither the token nor may revoke it; the admin sees and may.
        relay.addUser("mallory", PASSWORD, User.Role.OPERATOR, Map.of());
        String mallory = relay.login("mallory", PASSWORD);
        assertThat(Json.MAPPER.readTree(relay.get("/api/v1/tokens", mallory).body())).isEmpty();
        assertThat(relay.send("DELETE", "/api/v1/tokens/" + id, mallory, Map.of()).statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(relay.get("/api/v1/tokens", relay.adminToken()).body())).hasSize(1);

        assertThat(relay.send("DELETE", "/api/v1/tokens/" + id, login, Map.of()).statusCode()).isEqualTo(204);
        assertThat(relay.get("/api/v1/devices", token).statusCode()).isEqualTo(401);
        assertThat(relay.server().audit().recent(50, null, null).stream().map(e -> e.event()).toList())
                .contains("token.created", "token.revoked");
    }

    @Test
    void theSecretIsStoredOnlyAsAKeyedHash() throws Exception {
        String token = create(login, "at rest", List.of("devices:read"), 3600).get("token").asText();
        String secret = token.substring(token.lastIndexOf('_') + 1);
        assertThat(relay.get("/api/v1/devices", token).statusCode()).isEqualTo(200);
        try (Stream<Path> files = Files.walk(dir.resolve("relay"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
                        .doesNotContain(secret).doesNotContain(token);
            }
        }
        String forged = token.substring(0, token.lastIndexOf('_') + 1) + "A".repeat(secret.length());
        assertThat(relay.get("/api/v1/devices", forged).statusCode()).isEqualTo(401);
    }

    @Test
    void scopesCapWhatATokenMayDo() throws Exception {
        relay.onlineDevice("dev-1");
        String read = create(login, "read", List.of("devices:read"), 3600).get("token").asText();
        String open = create(login, "open", List.of("sessions:open"), 3600).get("token").asText();
        String adminLogin = relay.adminToken();
        String adminOpen = create(adminLogin, "admin's open", List.of("sessions:open"), 3600).get("token").asText();
        String adminAll = create(adminLogin, "admin's admin", List.of("admin"), 3600).get("token").asText();

        assertRefusedSession(read);
        try (TerminalClient t = relay.terminal("dev-1", open, 80, 24)) {
            t.type("echo tok-$((6*7))\n");
            t.awaitOutput(o -> o.contains("tok-42"), Duration.ofSeconds(20));
        }
        // An admin's sessions:open token is no admin; its admin-scoped token is.
        assertThat(relay.get("/api/v1/audit", adminOpen).statusCode()).isEqualTo(403);
        assertThat(relay.get("/api/v1/audit", adminAll).statusCode()).isEqualTo(200);
        // An operator's admin-scoped token never exceeds the operator.
        String operatorAll = create(login, "all", List.of("admin"), 3600).get("token").asText();
        assertThat(relay.get("/api/v1/audit", operatorAll).statusCode()).isEqualTo(403);
        // Tokens cannot mint tokens, nor touch second factors; managing needs the admin scope.
        assertThat(relay.send("POST", "/api/v1/tokens", adminAll,
                Map.of("name", "x", "scopes", List.of("admin"))).statusCode()).isEqualTo(403);
        assertThat(relay.send("POST", "/api/v1/account/mfa/totp", adminAll, Map.of()).statusCode()).isEqualTo(403);
        assertThat(relay.get("/api/v1/tokens", open).statusCode()).isEqualTo(403);
        assertThat(relay.get("/api/v1/tokens", adminAll).statusCode()).isEqualTo(200);
        // Unknown scopes and lifetimes out of range are refused.
        assertThat(relay.send("POST", "/api/v1/tokens", login,
                Map.of("name", "x", "scopes", List.of("root"))).statusCode()).isEqualTo(400);
        assertThat(relay.send("POST", "/api/v1/tokens", login,
                Map.of("name", "x", "scopes", List.of("admin"), "expiresInSeconds", 10L * 366 * 86400)).statusCode())
                .isEqualTo(400);
    }

    @Test
    void revocationEndsATerminalOpenedWithTheTokenWithinAPingInterval() throws Exception {
        relay.onlineDevice("dev-1");
        JsonNode created = create(login, "revoke me", List.of("sessions:open"), 3600);
        try (TerminalClient t = relay.terminal("dev-1", created.get("token").asText(), 80, 24);
             TerminalClient other = relay.terminal("dev-1", login, 80, 24)) {
            t.type("echo up-$((1+1))\n");
            t.awaitOutput(o -> o.contains("up-2"), Duration.ofSeconds(20));
            other.awaitSessionId(Duration.ofSeconds(20));
            long revoked = System.nanoTime();
            assertThat(relay.send("DELETE", "/api/v1/tokens/" + created.get("id").asText(), login, Map.of()).statusCode())
                    .isEqualTo(204);
            int code = t.awaitClose(PING.multipliedBy(2));
            long tookMillis = (System.nanoTime() - revoked) / 1_000_000;
            assertThat(code).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
            assertThat(tookMillis).isLessThanOrEqualTo(PING.toMillis() + 500);
            // The owner's own login session is untouched.
            other.type("echo still-$((2+2))\n");
            other.awaitOutput(o -> o.contains("still-4"), Duration.ofSeconds(20));
        }
    }

    @Test
    void anExpiredTokenIsRefusedAndEndsItsSessions() throws Exception {
        relay.onlineDevice("dev-1");
        JsonNode created = create(login, "short", List.of("sessions:open"), 60);
        String token = created.get("token").asText();
        try (TerminalClient t = relay.terminal("dev-1", token, 80, 24)) {
            t.awaitSessionId(Duration.ofSeconds(20));
            expireInStore(created.get("id").asText());
            assertThat(relay.get("/api/v1/devices", token).statusCode()).isEqualTo(401);
            assertThat(t.awaitClose(PING.multipliedBy(2))).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
        }
    }

    /** The terminal websocket says 403 (before or right after the upgrade) and no shell starts. */
    private void assertRefusedSession(String token) throws Exception {
        try (TerminalClient t = relay.terminal("dev-1", token, 80, 24)) {
            assertThat(t.awaitClose(Duration.ofSeconds(10))).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
            assertThat(t.controlTypes()).doesNotContain("session");
        }
        assertThat(TerminalClient.refusedStatus(relay.ws("/api/v1/devices/dev-1/ssh"), token)).isEqualTo(403);
    }

    /** Time passes for one token: its expiry is moved to now in the relay's own store file. */
    private void expireInStore(String id) throws Exception {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("busy_timeout", "10000");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                SqliteFiles.url(SqliteFiles.db(dir.resolve("relay"))), props);
             java.sql.PreparedStatement ps = c.prepareStatement("UPDATE api_tokens SET expires_at = ? WHERE id = ?")) {
            ps.setLong(1, System.currentTimeMillis() - 1);
            ps.setString(2, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aTokenFollowsItsOwnerDemotedOrRemoved() throws Exception {
        relay.onlineDevice("dev-1");
        String token = create(login, "owner", List.of("sessions:open"), 3600).get("token").asText();
        try (TerminalClient t = relay.terminal("dev-1", token, 80, 24)) {
            t.awaitSessionId(Duration.ofSeconds(20));
            assertThat(relay.send("PATCH", "/api/v1/users/" + OPERATOR, relay.adminToken(), Map.of("role", "viewer"))
                    .statusCode()).isEqualTo(200);
            assertThat(t.awaitClose(PING.multipliedBy(2))).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
        }
        assertRefusedSession(token);
        assertThat(relay.get("/api/v1/devices", token).statusCode()).isEqualTo(200); // a viewer may still read

        assertThat(relay.send("DELETE", "/api/v1/users/" + OPERATOR, relay.adminToken(), Map.of()).statusCode()).isIn(200, 204);
        assertThat(relay.get("/api/v1/devices", token).statusCode()).isEqualTo(401);
        // A new account under the same name does not inherit the old one's tokens.
        relay.addUser(OPERATOR, PASSWORD, User.Role.ADMIN, Map.of());
        assertThat(relay.get("/api/v1/devices", token).statusCode()).isEqualTo(401);
    }

    @Test
    void theCliLogsInWithATokenFile() throws Exception {
        relay.onlineDevice("dev-1");
        String token = create(login, "cli", List.of("devices:read"), 3600).get("token").asText();
        OperatorCli cli = new OperatorCli(dir.resolve("cli"));
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, token + "\n");
        OperatorCli.Result loggedIn = cli.devtunnelOutput("login", "--relay", relay.baseUrl(), "--token-file", tokenFile.toString());
        assertThat(loggedIn.exitCode()).as(loggedIn.stderr()).isZero();
        assertThat(loggedIn.stdout()).contains("as " + OPERATOR).doesNotContain(token);
        OperatorCli.Result devices = cli.devtunnelOutput("devices", "--json");
        assertThat(devices.exitCode()).as(devices.stderr()).isZero();
        assertThat(devices.stdout()).contains("dev-1");

        Path bad = dir.resolve("bad-token");
        Files.writeString(bad, "dtk_0000000000000000_nope\n");
        assertThat(cli.devtunnelOutput("login", "--relay", relay.baseUrl(), "--token-file", bad.toString()).exitCode())
                .isNotZero();
    }
}
