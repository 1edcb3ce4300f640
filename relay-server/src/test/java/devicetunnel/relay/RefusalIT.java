package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.Protocol;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The relay refuses what it must, with the documented status, and stays up for everyone else. */
@Timeout(120)
class RefusalIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    TestRelay relay;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir);
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void terminalWithoutCredentialIsRefusedBeforeUpgrade() throws Exception {
        relay.onlineDevice("dev-1");
        assertThat(TerminalClient.refusedStatus(relay.ws("/api/v1/devices/dev-1/terminal"), null)).isEqualTo(401);
        assertThat(TerminalClient.refusedStatus(relay.ws("/api/v1/devices/dev-1/terminal"), "not.a.jwt")).isEqualTo(401);
        assertThat(relay.get("/api/v1/devices", null).statusCode()).isEqualTo(401);
        JsonNode body = devicetunnel.relay.http.Json.MAPPER.readTree(relay.get("/api/v1/devices", null).body());
        assertThat(body.get("error").asText()).isEqualTo("unauthorized");
    }

    @Test
    void agentWithWrongCredentialIsRefused() throws Exception {
        relay.enrollDevice("dev-1", Map.of());
        assertThat(agentHandshakeStatus("dev-1", "wrong-token")).isEqualTo(401);
        assertThat(agentHandshakeStatus("no-such-device", "whatever")).isEqualTo(401);
        assertThat(agentHandshakeStatus("../../etc/passwd", "whatever")).isEqualTo(401);
        assertThat(relay.server().registry().isOnline("dev-1")).isFalse();
    }

    @Test
    void unknownDeviceIsNotFound() throws Exception {
        String token = relay.adminToken();
        try (TerminalClient term = relay.terminal("no-such-device", token, 80, 24)) {
            JsonNode error = term.awaitControl("error", WAIT);
            assertThat(error.get("error").asText()).isEqualTo("not_found");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4404);
        }
        assertThat(relay.get("/api/v1/devices/no-such-device", token).statusCode()).isEqualTo(404);
    }

    @Test
    void offlineDeviceIsUnreachable() throws Exception {
        relay.enrollDevice("sleepy", Map.of());
        String token = relay.adminToken();
        try (TerminalClient term = relay.terminal("sleepy", token, 80, 24)) {
            JsonNode error = term.awaitControl("error", WAIT);
            assertThat(error.get("error").asText()).isEqualTo("device_unreachable");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4502);
        }
    }

    @Test
    void malformedControlMessageEndsOnlyThatSession() throws Exception {
        relay.onlineDevice("dev-1");
        String token = relay.adminToken();
        try (TerminalClient good = relay.terminal("dev-1", token, 80, 24);
             TerminalClient bad = relay.terminal("dev-1", token, 80, 24)) {
            good.awaitControl("session", WAIT);
            bad.awaitControl("session", WAIT);
            bad.sendText("{not json");
            assertThat(bad.awaitControl("error", WAIT).get("error").asText()).isEqualTo("bad_request");
            assertThat(bad.awaitClose(WAIT)).isEqualTo(4400);
            good.type("echo still-$((2+3))\r");
            good.awaitOutput(TerminalClient.hasLine("still-5"), WAIT);
        }
    }

    @Test
    void removingAnOperatorEndsTheSessionsAlreadyOpen() throws Exception {
        relay.onlineDevice("dev-1");
        relay.addUser("olga", "olga's long password", devicetunnel.relay.store.User.Role.OPERATOR, Map.of());
        try (TerminalClient term = relay.terminal("dev-1", relay.login("olga", "olga's long password"), 80, 24)) {
            term.awaitControl("session", WAIT);
            relay.server().users().remove("olga");
            JsonNode error = term.awaitControl("error", WAIT);
            assertThat(error.get("error").asText()).isEqualTo("forbidden");
            assertThat(error.get("message").asText()).contains("account was removed");
            assertThat(term.awaitClose(WAIT)).isEqualTo(4403);
        }
    }

    private int agentHandshakeStatus(String deviceId, String token) throws Exception {
        try {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header(Protocol.DEVICE_ID_HEADER, deviceId)
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(relay.ws(Protocol.CONNECT_PATH), new WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS);
            ws.abort();
            return -1;
        } catch (ExecutionException e) {
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }
}
