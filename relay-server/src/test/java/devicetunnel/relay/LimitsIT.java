package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.agent.link.DeviceCredential;
import devicetunnel.protocol.Protocol;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Caps and timeouts: concurrent sessions, idle sessions, connections that never authenticate. */
@Timeout(120)
class LimitsIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void sessionsAreCappedPerDeviceAndPerOperator() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withHardening(c.hardening().withSessionCaps(2, 3)))) {
            relay.onlineDevice("dev-1");
            relay.onlineDevice("dev-2");
            String admin = relay.adminToken();
            try (TerminalClient a = open(relay, "dev-1", admin); TerminalClient b = open(relay, "dev-1", admin)) {
                try (TerminalClient third = relay.terminal("dev-1", admin, 80, 24)) {
                    assertThat(third.awaitControl("error", WAIT).get("error").asText()).isEqualTo("conflict");
                    assertThat(third.awaitClose(WAIT)).isEqualTo(4409);
                }
                try (TerminalClient c = open(relay, "dev-2", admin);
                     TerminalClient fourth = relay.terminal("dev-2", admin, 80, 24)) {
                    assertThat(fourth.awaitControl("error", WAIT).get("message").asText()).contains("You already have 3");
                    assertThat(fourth.awaitClose(WAIT)).isEqualTo(4409);
                }
                b.type("exit\r");
                b.awaitControl("exit", WAIT);
                try (TerminalClient again = open(relay, "dev-1", admin)) {
                    again.type("echo slot-$((1+1))\r");
                    again.awaitOutput(TerminalClient.hasLine("slot-2"), WAIT);
                }
            }
        }
    }

    @Test
    void aRefusalNamesTheSlotHoldersAndADetachedOneCanBeEndedByItsOwnerOnly() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withHardening(c.hardening().withSessionCaps(1, 5)))) {
            relay.onlineDevice("dev-1");
            relay.addUser("olga", "olga password 1", devicetunnel.relay.store.User.Role.OPERATOR, Map.of());
            String admin = relay.adminToken();
            String olga = relay.login("olga", "olga password 1");
            String held;
            try (TerminalClient first = open(relay, "dev-1", admin)) {
                held = first.awaitSessionId(WAIT);
            } // dropped, not closed: the shell waits for a resume and keeps its slot
            relay.server().sessions().find(held).ifPresent(s -> org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !s.hasViewer()));
            try (TerminalClient refused = relay.terminal("dev-1", admin, 80, 24)) {
                assertThat(refused.awaitControl("error", WAIT).get("message").asText())
                        .contains("This device already has 1 open sessions", TestRelay.ADMIN + " on dev-1", "(detached");
            }
            var listed = relay.get("/api/v1/sessions?deviceId=dev-1", admin);
            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(listed.body()).contains(held, "\"attached\":false");
            assertThat(relay.get("/api/v1/sessions", olga).body()).isEqualTo("[]"); // not hers to see
            assertThat(relay.send("DELETE", "/api/v1/sessions/" + held, olga, null).statusCode()).isEqualTo(404);

            assertThat(relay.send("DELETE", "/api/v1/sessions/" + held, admin, null).statusCode()).isEqualTo(204);
            assertThat(relay.server().sessions().find(held)).isEmpty();
            assertThat(relay.server().audit().recent(10, "session.ended_by", "dev-1")).hasSize(1);
            try (TerminalClient again = open(relay, "dev-1", admin)) {
                again.type("echo freed-$((2+2))\r");
                again.awaitOutput(TerminalClient.hasLine("freed-4"), WAIT);
            }
        }
    }

    @Test
    void sessionOpensAreLimitedPerOperatorAndAnAdminCanSeeAndLiftTheLimit() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withHardening(c.hardening().withRates(100, 2)))) {
            relay.onlineDevice("dev-1");
            String admin = relay.adminToken();
            for (int i = 0; i < 2; i++) {
                try (TerminalClient ok = open(relay, "dev-1", admin)) {
                    ok.awaitSessionId(WAIT);
                }
            }
            assertThat(TerminalClient.refusedStatus(relay.ws("/api/v1/devices/dev-1/terminal"), admin)).isEqualTo(429);
            var limits = relay.get("/api/v1/rate-limits", admin);
            assertThat(limits.statusCode()).isEqualTo(200);
            assertThat(limits.body()).contains("\"limit\":\"session-open-operator\"", "\"key\":\"" + TestRelay.ADMIN + "\"");

            assertThat(relay.send("DELETE", "/api/v1/rate-limits/session-open-operator/" + TestRelay.ADMIN, admin, null).statusCode())
                    .isEqualTo(204);
            assertThat(relay.send("DELETE", "/api/v1/rate-limits/session-open-address/127.0.0.1", admin, null).statusCode())
                    .isEqualTo(204);
            try (TerminalClient again = open(relay, "dev-1", admin)) {
                again.awaitSessionId(WAIT);
            }
            assertThat(relay.server().audit().recent(10, "ratelimit.lifted", null)).hasSize(2);
        }
    }

    @Test
    void theCloseMessageEndsTheShellAtOnceAndSaysWhoClosedIt() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            String admin = relay.adminToken();
            try (TerminalClient tab = open(relay, "dev-1", admin)) {
                String id = tab.awaitSessionId(WAIT);
                tab.sendText("{\"type\":\"close\"}");
                org.awaitility.Awaitility.await().atMost(WAIT).until(() -> relay.server().sessions().find(id).isEmpty());
                assertThat(relay.server().audit().recent(10, "session.closed_by_user", "dev-1"))
                        .singleElement().satisfies(e -> assertThat(e.actor()).isEqualTo(TestRelay.ADMIN));
            }
        }
    }

    @Test
    void aSessionWithoutInputIsClosedAfterTheIdleTimeout() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withHardening(c.hardening()
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10))))) {
            relay.onlineDevice("dev-1");
            try (TerminalClient idle = open(relay, "dev-1", relay.adminToken())) {
                assertThat(idle.awaitControl("error", WAIT).get("error").asText()).isEqualTo("idle_timeout");
                assertThat(idle.awaitClose(WAIT)).isEqualTo(4408);
            }
            assertThat(relay.server().audit().recent(20)).extracting(AuditLog.Event::event).contains("session.idle_timeout");
        }
    }

    @Test
    void connectionsThatNeverAuthenticateAreClosed() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withHardening(c.hardening()
                .withTimeouts(Duration.ofMinutes(30), Duration.ofSeconds(1))))) {
            // A TCP connection that never sends a request.
            try (Socket silent = new Socket("127.0.0.1", relay.server().port())) {
                silent.setSoTimeout(10_000);
                InputStream in = silent.getInputStream();
                assertThat(in.read()).isEqualTo(-1);
            }
            // An agent that authenticates but never says hello.
            KeyPair key = relay.enrollDevice("mute-1", Map.of());
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header(Protocol.DEVICE_ID_HEADER, "mute-1")
                    .header("Authorization", "Bearer " + new DeviceCredential("mute-1", key, Clock.systemUTC()).proof())
                    .buildAsync(relay.ws(Protocol.CONNECT_PATH), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                            closed.complete(status);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(4408);
            ws.abort();
            assertThat(relay.server().registry().isOnline("mute-1")).isFalse();
        }
    }

    private static TerminalClient open(TestRelay relay, String device, String token) throws Exception {
        TerminalClient client = relay.terminal(device, token, 80, 24);
        client.awaitControl("session", WAIT);
        return client;
    }
}
