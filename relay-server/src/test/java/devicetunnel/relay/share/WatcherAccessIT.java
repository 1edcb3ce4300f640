package devicetunnel.relay.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watchers lose a shared session when their own rights go, like owners lose theirs: the access
 * sweep ends a removed, logged-out or token-revoked watcher, a watcher by name whose labels no
 * longer cover the device, and a joiner allowed to type whose role no longer opens shells; the
 * owner's session goes on. One relay (sweeping every 2 s), one real agent.
 */
@Timeout(120)
class WatcherAccessIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PW = "a good long password";
    private static final Pattern WATCHERS_GAUGE = Pattern.compile("(?m)^devtunnel_terminal_watchers(?:\\{[^}]*})? (\\S+)$");

    @TempDir
    Path dir;
    TestRelay relay;
    String admin;
    TerminalClient owner;
    String session;

    @BeforeEach
    void ownerSession() throws Exception {
        relay = new TestRelay(dir);
        relay.onlineDevice("dev-1", Map.of("env", "lab"));
        relay.addUser("alice", PW, User.Role.OPERATOR, Map.of());
        for (String name : List.of("bob", "carol", "dave", "erin", "fred", "gwen")) {
            relay.addUser(name, PW, User.Role.OPERATOR, Map.of("env", "lab"));
        }
        admin = relay.adminToken();
        owner = relay.terminal("dev-1", relay.login("alice", PW), 80, 24);
        session = owner.awaitSessionId(WAIT);
    }

    @AfterEach
    void stop() throws Exception {
        owner.close();
        relay.close();
    }

    @Test
    void narrowedLabelsEndAWatcherByNameButNotAReadOnlyLinkHolder() throws Exception {
        TerminalClient bob = watchByName("bob", "watch");
        TerminalClient carol = watchByLink("carol", "watch");
        assertThat(watchersGauge()).isEqualTo(2);

        changeUser("bob", Map.of("labels", Map.of("env", "prod")));
        assertThat(bob.awaitClose(WAIT)).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
        assertThat(bob.awaitControl("error", WAIT).path("message").asText()).contains("may no longer see this device");

        changeUser("carol", Map.of("labels", Map.of("env", "prod"))); // swept at once, like bob: nothing to end
        assertThat(carol.isClosed()).isFalse();
        assertThat(watcherNames()).containsExactly("carol");
        assertThat(watchersGauge()).isEqualTo(1);
        assertThat(relay.server().audit().recent(50, "session.watch.revoked", null))
                .anyMatch(e -> e.detail().contains("watcher=bob") && e.detail().contains("access withdrawn"));
        assertOwnerStillThere();
    }

    @Test
    void aRemovedUserAndALogoutAndARevokedApiTokenEachEndTheirWatch() throws Exception {
        TerminalClient dave = watchByLink("dave", "watch");
        assertThat(relay.send("DELETE", "/api/v1/users/dave", admin, Map.of()).statusCode()).isEqualTo(204);
        assertThat(dave.awaitClose(WAIT)).isEqualTo(ErrorCode.FORBIDDEN.closeCode());

        String erinLogin = relay.login("erin", PW);
        TerminalClient erin = watch(erinLogin, linkQuery("watch"));
        await().atMost(WAIT).until(() -> watcherNames().contains("erin"));
        assertThat(relay.send("POST", "/api/v1/auth/logout", erinLogin, Map.of()).statusCode()).isEqualTo(204);
        assertThat(erin.awaitClose(WAIT)).isEqualTo(ErrorCode.FORBIDDEN.closeCode()); // the next sweep, within 2 s
        assertThat(erin.awaitControl("error", WAIT).path("message").asText()).contains("logged out");

        String fredLogin = relay.login("fred", PW);
        JsonNode token = Json.MAPPER.readTree(relay.send("POST", "/api/v1/tokens", fredLogin,
                Map.of("name", "watching", "scopes", List.of("sessions:open"), "expiresInSeconds", 3600)).body());
        TerminalClient fred = watch(token.path("token").asText(), linkQuery("watch"));
        await().atMost(WAIT).until(() -> watcherNames().contains("fred"));
        assertThat(relay.send("DELETE", "/api/v1/tokens/" + token.path("id").asText(), fredLogin, Map.of()).statusCode())
                .isEqualTo(204);
        assertThat(fred.awaitClose(WAIT)).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
        assertThat(watcherNames()).isEmpty();
        assertOwnerStillThere();
    }

    @Test
    void aJoinerWhoTypesLosesTheSessionWhenDemotedToViewer() throws Exception {
        TerminalClient gwen = watchByLink("gwen", "join");
        String id = watchers().get(0).path("id").asText();
        assertThat(relay.send("POST", "/api/v1/sessions/" + session + "/watchers/" + id + "/typing", relay.login("alice", PW),
                Map.of()).statusCode()).isEqualTo(204);
        gwen.awaitControl("typing", WAIT);

        changeUser("gwen", Map.of("role", "viewer"));
        assertThat(gwen.awaitClose(WAIT)).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
        assertThat(gwen.awaitControl("error", WAIT).path("message").asText()).contains("no longer allows sessions");
        assertOwnerStillThere();
    }

    private TerminalClient watchByName(String user, String mode) throws Exception {
        assertThat(relay.send("POST", "/api/v1/sessions/" + session + "/shares", relay.login("alice", PW),
                Map.of("mode", mode, "user", user)).statusCode()).isEqualTo(201);
        TerminalClient w = watch(relay.login(user, PW), "");
        await().atMost(WAIT).until(() -> watcherNames().contains(user));
        return w;
    }

    private TerminalClient watchByLink(String user, String mode) throws Exception {
        TerminalClient w = watch(relay.login(user, PW), linkQuery(mode));
        await().atMost(WAIT).until(() -> watcherNames().contains(user));
        return w;
    }

    private String linkQuery(String mode) throws Exception {
        JsonNode link = Json.MAPPER.readTree(relay.send("POST", "/api/v1/sessions/" + session + "/shares",
                relay.login("alice", PW), Map.of("mode", mode)).body());
        return "?share=" + link.path("token").asText();
    }

    private TerminalClient watch(String token, String query) throws Exception {
        TerminalClient w = TerminalClient.connect(relay.http(), relay.ws("/api/v1/sessions/" + session + "/watch" + query), token);
        w.awaitControl("session", WAIT);
        return w;
    }

    private void changeUser(String user, Map<String, Object> change) throws Exception {
        assertThat(relay.send("PATCH", "/api/v1/users/" + user, admin, change).statusCode()).isEqualTo(200);
    }

    private List<JsonNode> watchers() throws Exception {
        JsonNode list = Json.MAPPER.readTree(relay.get("/api/v1/sessions/" + session + "/shares", admin).body()).path("watchers");
        return java.util.stream.StreamSupport.stream(list.spliterator(), false).toList();
    }

    private List<String> watcherNames() throws Exception {
        return watchers().stream().map(w -> w.path("user").asText()).toList();
    }

    private double watchersGauge() throws Exception {
        Matcher m = WATCHERS_GAUGE.matcher(relay.get("/metrics", admin).body());
        assertThat(m.find()).as("devtunnel_terminal_watchers is exported").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private void assertOwnerStillThere() throws Exception {
        assertThat(owner.isClosed()).isFalse();
        owner.type("echo still-$((40+2))\n");
        owner.awaitOutput(TerminalClient.hasLine("still-42"), WAIT);
    }
}
