package devicetunnel.relay.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.OperatorCli;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharing from the operator's terminal: alice owns a terminal session (opened as the console
 * does) and shares it with the devtunnel CLI; bob watches it with {@code devtunnel watch} in a
 * child JVM, as he would in his own terminal. One relay, one real agent.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShareCliIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ALICE_PW = "alice password 1";
    private static final String BOB_PW = "bob password 12";

    @TempDir
    static Path dir;
    TestRelay relay;
    OperatorCli alice;
    OperatorCli bob;

    @BeforeAll
    void start() throws Exception {
        relay = new TestRelay(dir.resolve("relay"));
        relay.onlineDevice("dev-1", Map.of("env", "lab"));
        relay.addUser("alice", ALICE_PW, User.Role.OPERATOR, Map.of());
        relay.addUser("bob", BOB_PW, User.Role.OPERATOR, Map.of("env", "lab"));
        alice = new OperatorCli(Files.createDirectories(dir.resolve("alice")));
        alice.login(relay.baseUrl(), "alice", ALICE_PW);
        bob = new OperatorCli(Files.createDirectories(dir.resolve("bob")));
        bob.login(relay.baseUrl(), "bob", BOB_PW);
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void aLinkWatcherSeesTheOutputReadOnlyAndTheOwnerRemovesHimByName() throws Exception {
        TerminalClient owner = relay.terminal("dev-1", relay.login("alice", ALICE_PW), 100, 30);
        String session = owner.awaitSessionId(WAIT);
        assertThat(json(alice.devtunnelOutput("sessions", "--json"))).anyMatch(s -> s.path("id").asText().equals(session));

        JsonNode link = json(alice.devtunnelOutput("share", "create", session, "--minutes", "5", "--json"));
        assertThat(link.path("kind").asText()).isEqualTo("link");
        assertThat(link.path("mode").asText()).isEqualTo("watch");
        String url = link.path("url").asText();
        assertThat(url).isEqualTo(relay.baseUrl() + "/#watch=" + session + "&share=" + link.path("token").asText());
        Path linkFile = Files.writeString(dir.resolve("link-1"), url + "\n");

        Process watch = bob.startDevtunnel("watch-link", null, "watch", "--link-file", linkFile.toString());
        try {
            await().atMost(WAIT).until(() -> watchers(session).size() == 1);
            JsonNode watcher = watchers(session).get(0);
            assertThat(watcher.path("user").asText()).isEqualTo("bob");
            assertThat(watcher.path("mode").asText()).isEqualTo("watch");
            assertThat(watcher.path("shareId").asText()).isEqualTo(link.path("id").asText());

            owner.type("echo shared-$((6*7))\n");
            await().atMost(WAIT).until(() -> bob.printed("watch-link", "out").contains("shared-42"));
            assertThat(bob.printed("watch-link", "err")).contains("watching alice's session on dev-1, read-only");

            OperatorCli.Result table = alice.devtunnelOutput("share", "list", session);
            assertThat(table.exitCode()).as(table.stderr()).isZero();
            assertThat(table.stdout()).contains(link.path("id").asText(), "link", "bob");

            OperatorCli.Result removed = alice.devtunnelOutput("watchers", "remove", session, "bob");
            assertThat(removed.exitCode()).as(removed.stderr()).isZero();
            assertThat(watch.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(watch.exitValue()).isEqualTo(1);
            assertThat(bob.printed("watch-link", "err")).contains("alice stopped sharing this session with you.");
            assertThat(owner.controlTypes()).contains("watchers");
        } finally {
            watch.destroyForcibly();
            owner.close();
        }
    }

    @Test
    void aJoinerByNameIsAllowedToTypeThenTheRevokedShareEndsHisWatch() throws Exception {
        TerminalClient owner = relay.terminal("dev-1", relay.login("alice", ALICE_PW), 100, 30);
        String session = owner.awaitSessionId(WAIT);
        JsonNode share = json(alice.devtunnelOutput("share", "create", session, "--user", "bob", "--join", "--json"));
        assertThat(share.path("kind").asText()).isEqualTo("user");
        assertThat(share.path("user").asText()).isEqualTo("bob");
        assertThat(share.path("mode").asText()).isEqualTo("join");
        assertThat(share.has("token")).isFalse();
        assertThat(json(bob.devtunnelOutput("sessions", "--shared-with-me", "--json")))
                .anyMatch(s -> s.path("sessionId").asText().equals(session) && s.path("owner").asText().equals("alice"));

        Process watch = bob.startDevtunnel("watch-user", null, "watch", session);
        try {
            await().atMost(WAIT).until(() -> watchers(session).size() == 1);
            assertThat(watchers(session).get(0).path("typing").asBoolean()).isFalse();

            OperatorCli.Result allowed = alice.devtunnelOutput("watchers", "allow-typing", session, "bob");
            assertThat(allowed.exitCode()).as(allowed.stderr()).isZero();
            assertThat(watchers(session).get(0).path("typing").asBoolean()).isTrue();
            await().atMost(WAIT).until(() -> bob.printed("watch-user", "err").contains("the owner lets you type"));

            OperatorCli.Result revoked = alice.devtunnelOutput("share", "revoke", session, share.path("id").asText());
            assertThat(revoked.exitCode()).as(revoked.stderr()).isZero();
            assertThat(watch.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(watch.exitValue()).isEqualTo(1);
            assertThat(json(alice.devtunnelOutput("share", "list", session, "--json")).path("shares")).isEmpty();
            assertThat(relay.server().audit().recent(50, "share.revoked", null)).anyMatch(e -> session.equals(e.sessionId()));
        } finally {
            watch.destroyForcibly();
            owner.close();
        }
    }

    @Test
    void refusalsSayWhyAndExitNonZero() throws Exception {
        TerminalClient owner = relay.terminal("dev-1", relay.login("alice", ALICE_PW), 100, 30);
        String session = owner.awaitSessionId(WAIT);
        try {
            String url = json(alice.devtunnelOutput("share", "create", session, "--json")).path("url").asText();

            OperatorCli.Result onTheCommandLine = bob.devtunnelOutput("watch", url);
            assertThat(onTheCommandLine.exitCode()).isEqualTo(2);
            assertThat(onTheCommandLine.stderr()).contains("holds a secret", "--link-file");

            Path elsewhere = Files.writeString(dir.resolve("link-elsewhere"),
                    url.replace(relay.baseUrl(), "https://other-relay.example.com"));
            OperatorCli.Result otherRelay = bob.devtunnelOutput("watch", "--link-file", elsewhere.toString());
            assertThat(otherRelay.exitCode()).isEqualTo(2);
            assertThat(otherRelay.stderr()).contains("the link is for https://other-relay.example.com");

            OperatorCli.Result notShared = bob.devtunnelOutput("watch", session);
            assertThat(notShared.exitCode()).isEqualTo(1);
            assertThat(notShared.stderr()).contains("This session is not shared with you.");

            OperatorCli.Result notHis = bob.devtunnelOutput("share", "create", session);
            assertThat(notHis.exitCode()).isEqualTo(1);
            assertThat(notHis.stderr()).contains("No such session");

            OperatorCli.Result tooLong = alice.devtunnelOutput("share", "create", session, "--minutes", "5000");
            assertThat(tooLong.exitCode()).isEqualTo(1);
            assertThat(tooLong.stderr()).contains("HTTP 400");

            OperatorCli.Result nobody = alice.devtunnelOutput("watchers", "remove", session, "carol");
            assertThat(nobody.exitCode()).isEqualTo(1);
            assertThat(nobody.stderr()).contains("no watcher 'carol'");
        } finally {
            owner.close();
        }
    }

    private JsonNode watchers(String session) throws Exception {
        return json(alice.devtunnelOutput("watchers", "list", session, "--json"));
    }

    private static JsonNode json(OperatorCli.Result result) throws Exception {
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        return Json.MAPPER.readTree(result.stdout());
    }
}
