package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The administration API the console uses: users (add, change, reset, remove, own password),
 * device labels and the audit filters, with their rights, 400s and audit entries, on a real relay.
 */
@Timeout(120)
class AdminApiIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The periodic access sweep runs this rarely here, so a session cut within seconds was cut at once. */
    private static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    @TempDir
    Path dir;
    TestRelay relay;
    String admin;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir, config -> config.withPingInterval(SWEEP_INTERVAL));
        admin = relay.adminToken();
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void anAdminAddsListsChangesAndRemovesUsersAndEachStepIsAudited() throws Exception {
        HttpResponse<String> added = relay.send("POST", "/api/v1/users", admin,
                Map.of("username", "olga", "role", "operator", "labels", Map.of("site", "lab"), "password", "olga password 1"));
        assertThat(added.statusCode()).isEqualTo(201);
        assertThat(json(added)).isEqualTo(Json.MAPPER.readTree("{\"username\":\"olga\",\"role\":\"operator\",\"labels\":{\"site\":\"lab\"}}"));
        assertThat(relay.send("POST", "/api/v1/users", admin,
                Map.of("username", "olga", "role", "viewer", "password", "another one 1")).statusCode()).isEqualTo(409);

        JsonNode list = json(relay.get("/api/v1/users", admin));
        assertThat(list.findValuesAsText("username")).containsExactly("admin", "olga");
        assertThat(list.toString()).doesNotContain("hash", "argon");

        String olga = relay.login("olga", "olga password 1");
        assertThat(relay.get("/api/v1/users", olga).statusCode()).isEqualTo(403);
        assertThat(relay.send("POST", "/api/v1/users", olga,
                Map.of("username", "mallory", "role", "admin", "password", "mallory pass 1")).statusCode()).isEqualTo(403);

        HttpResponse<String> changed = relay.send("PATCH", "/api/v1/users/olga", admin, Map.of("role", "viewer", "labels", Map.of()));
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(json(changed).get("role").asText()).isEqualTo("viewer");
        assertThat(relay.server().users().find("olga").orElseThrow().role()).isEqualTo(User.Role.VIEWER);

        assertThat(relay.send("PUT", "/api/v1/users/olga/password", admin, Map.of("password", "reset password 2")).statusCode())
                .isEqualTo(204);
        assertThat(relay.get("/api/v1/auth/me", olga).statusCode()).as("the reset ends olga's logins").isEqualTo(401);
        assertThat(relay.login("olga", "reset password 2")).isNotBlank();

        assertThat(relay.send("DELETE", "/api/v1/users/olga", admin, Map.of()).statusCode()).isEqualTo(204);
        assertThat(relay.send("DELETE", "/api/v1/users/olga", admin, Map.of()).statusCode()).isEqualTo(404);
        assertThat(relay.server().users().find("olga")).isEmpty();

        assertThat(relay.server().audit().recent(50)).extracting(AuditLog.Event::event)
                .contains("user.added", "user.changed", "user.password_reset", "user.removed");
        assertThat(relay.server().audit().recent(50, "user.added", null).get(0).actor()).isEqualTo("admin");
    }

    @Test
    void badUserInputIsAClear400() throws Exception {
        assertBad(Map.of("username", "has space", "role", "operator", "password", "long enough 1"), "username");
        assertBad(Map.of("username", "ok", "role", "root", "password", "long enough 1"), "role");
        assertBad(Map.of("username", "ok", "role", "operator", "password", "short"), "password");
        assertBad(Map.of("username", "ok", "role", "operator", "password", "long enough 1", "labels", Map.of("a b", "c")), "labels");
        assertBad(Map.of("username", "ok", "role", "operator", "password", "long enough 1", "admin", true), "admin");
        assertThat(relay.send("PATCH", "/api/v1/users/nobody", admin, Map.of("role", "viewer")).statusCode()).isEqualTo(404);
    }

    @Test
    void theLastAdminCannotBeRemovedOrDemotedNorAnAdminRemoveThemselves() throws Exception {
        assertThat(relay.send("DELETE", "/api/v1/users/admin", admin, Map.of()).statusCode()).isEqualTo(409);
        assertThat(relay.send("PATCH", "/api/v1/users/admin", admin, Map.of("role", "operator")).statusCode()).isEqualTo(409);
        assertThat(relay.server().users().find("admin").orElseThrow().role()).isEqualTo(User.Role.ADMIN);
    }

    @Test
    void removingAnOperatorEndsTheirOpenTerminalAtOnce() throws Exception {
        relay.onlineDevice("dev-1");
        relay.addUser("otto", "otto password 1", User.Role.OPERATOR, Map.of());
        try (TerminalClient terminal = relay.terminal("dev-1", relay.login("otto", "otto password 1"), 80, 24)) {
            terminal.awaitSessionId(WAIT);
            assertThat(relay.send("DELETE", "/api/v1/users/otto", admin, Map.of()).statusCode()).isEqualTo(204);
            // At once, not at the next access sweep (SWEEP_INTERVAL).
            assertThat(terminal.awaitClose(Duration.ofSeconds(5))).isEqualTo(4403);
        }
    }

    @Test
    void operatorsChangeTheirOwnPasswordWithTheCurrentOne() throws Exception {
        relay.addUser("otto", "otto password 1", User.Role.OPERATOR, Map.of());
        String otto = relay.login("otto", "otto password 1");
        assertThat(relay.send("PUT", "/api/v1/account/password", otto,
                Map.of("currentPassword", "wrong password", "newPassword", "otto password 2")).statusCode()).isEqualTo(403);
        assertThat(relay.send("PUT", "/api/v1/account/password", otto,
                Map.of("currentPassword", "otto password 1", "newPassword", "short")).statusCode()).isEqualTo(400);
        assertThat(relay.send("PUT", "/api/v1/account/password", otto,
                Map.of("currentPassword", "otto password 1", "newPassword", "otto password 2")).statusCode()).isEqualTo(204);
        assertThat(relay.get("/api/v1/auth/me", otto).statusCode()).isEqualTo(401);
        assertThat(relay.login("otto", "otto password 2")).isNotBlank();
        assertThat(relay.server().audit().recent(50)).extracting(AuditLog.Event::event)
                .contains("password.change_refused", "password.changed");
    }

    @Test
    void adminsRelabelDevicesAndOperatorsOutsideTheNewScopeLoseThem() throws Exception {
        relay.onlineDevice("dev-1", Map.of("site", "lab"));
        relay.addUser("lab-op", "lab password 1", User.Role.OPERATOR, Map.of("site", "lab"));
        String labOp = relay.login("lab-op", "lab password 1");
        assertThat(relay.get("/api/v1/devices/dev-1", labOp).statusCode()).isEqualTo(200);
        assertThat(json(relay.get("/api/v1/devices/dev-1", admin)).get("hostKeyFingerprint").asText()).matches("SHA256:[A-Za-z0-9+/]{43}");

        assertThat(relay.send("PATCH", "/api/v1/devices/dev-1", labOp, Map.of("labels", Map.of())).statusCode()).isEqualTo(403);
        assertThat(relay.send("PATCH", "/api/v1/devices/dev-1", admin, Map.of("labels", "site=x")).statusCode()).isEqualTo(400);
        assertThat(relay.send("PATCH", "/api/v1/devices/dev-1", admin, Map.of()).statusCode()).isEqualTo(400);
        assertThat(relay.send("PATCH", "/api/v1/devices/nope", admin, Map.of("labels", Map.of())).statusCode()).isEqualTo(404);
        try (TerminalClient terminal = relay.terminal("dev-1", labOp, 80, 24)) {
            terminal.awaitSessionId(WAIT);
            HttpResponse<String> relabeled = relay.send("PATCH", "/api/v1/devices/dev-1", admin, Map.of("labels", Map.of("site", "office")));
            assertThat(relabeled.statusCode()).isEqualTo(200);
            assertThat(json(relabeled).get("labels").toString()).isEqualTo("{\"site\":\"office\"}");
            assertThat(terminal.awaitClose(Duration.ofSeconds(5))).isEqualTo(4403);
        }
        assertThat(relay.get("/api/v1/devices/dev-1", labOp).statusCode()).isEqualTo(404);
        assertThat(relay.server().audit().recent(10, "device.labels", "dev-1")).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("labels=site=office"));
    }

    @Test
    void theAuditFiltersByOperatorAndTimeAndPagesBack() throws Exception {
        for (int i = 0; i < 5; i++) {
            relay.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        }
        relay.addUser("otto", "otto password 1", User.Role.OPERATOR, Map.of());
        relay.login("otto", "otto password 1");

        JsonNode otto = json(relay.get("/api/v1/audit?operator=otto", admin));
        assertThat(otto.findValuesAsText("event")).containsExactly("login.ok");
        JsonNode firstPage = json(relay.get("/api/v1/audit?operator=admin&event=login.ok&limit=4", admin));
        assertThat(firstPage).hasSize(4);
        long oldest = firstPage.get(3).get("id").asLong();
        JsonNode secondPage = json(relay.get("/api/v1/audit?operator=admin&event=login.ok&limit=4&before=" + oldest, admin));
        assertThat(secondPage).hasSize(2); // six admin logins: the one in @BeforeEach and five here
        assertThat(secondPage.get(0).get("id").asLong()).isLessThan(oldest);
        assertThat(json(relay.get("/api/v1/audit?from=2999-01-01T00:00:00Z", admin))).isEmpty();
        assertThat(json(relay.get("/api/v1/audit?to=2000-01-01T00:00:00Z", admin))).isEmpty();

        for (String bad : List.of("from=yesterday", "before=-3", "before=x", "limit=0", "event=DROP%20TABLE")) {
            assertThat(relay.get("/api/v1/audit?" + bad, admin).statusCode()).as(bad).isEqualTo(400);
        }
        assertThat(relay.get("/api/v1/audit", relay.login("otto", "otto password 1")).statusCode()).isEqualTo(403);
    }

    @Test
    void revokingAnEnrollmentTokenIsAudited() throws Exception {
        JsonNode created = json(relay.send("POST", "/api/v1/enrollments", admin, Map.of("reusable", true)));
        String id = created.get("id").asText();
        assertThat(relay.send("DELETE", "/api/v1/enrollments/" + id, admin, Map.of()).statusCode()).isEqualTo(204);
        assertThat(relay.server().audit().recent(10, "enrollment.revoked", null)).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("id=" + id));
    }

    private void assertBad(Map<String, Object> body, String field) throws Exception {
        HttpResponse<String> response = relay.send("POST", "/api/v1/users", admin, body);
        assertThat(response.statusCode()).as(body.toString()).isEqualTo(400);
        assertThat(json(response).get("message").asText()).contains(field);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }
}
