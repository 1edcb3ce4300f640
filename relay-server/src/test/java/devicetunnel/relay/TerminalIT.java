package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The core tunnel end to end: browser websocket -> relay -> SSH over the device stream -> PTY shell. */
@Timeout(120)
class TerminalIT {
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
    void runsCommandsResizesAndReportsTheExitStatus() throws Exception {
        relay.onlineDevice("dev-1");
        String token = relay.adminToken();
        try (TerminalClient term = relay.terminal("dev-1", token, 80, 24)) {
            JsonNode session = term.awaitControl("session", WAIT);
            assertThat(session.get("id").asText()).isNotBlank();

            term.type("echo $((6*7))\r");
            term.awaitOutput(TerminalClient.hasLine("42"), WAIT);

            term.type("stty size\r");
            term.awaitOutput(TerminalClient.hasLine("24 80"), WAIT);
            term.resize(100, 30);
            term.type("stty size\r");
            term.awaitOutput(TerminalClient.hasLine("30 100"), WAIT);

            term.type("exit 3\r");
            JsonNode exit = term.awaitControl("exit", WAIT);
            assertThat(exit.get("status").asInt()).isEqualTo(3);
            assertThat(term.awaitClose(WAIT)).isEqualTo(1000);
        }
    }

    @Test
    void concurrentSessionsOnTwoDevicesDoNotSeeEachOthersBytes() throws Exception {
        relay.onlineDevice("dev-a");
        relay.onlineDevice("dev-b");
        String token = relay.adminToken();
        try (TerminalClient a = relay.terminal("dev-a", token, 80, 24);
             TerminalClient b = relay.terminal("dev-b", token, 80, 24)) {
            a.awaitControl("session", WAIT);
            b.awaitControl("session", WAIT);
            a.type("echo alpha-$((1000+1))\r");
            b.type("echo bravo-$((2000+2))\r");
            a.awaitOutput(out -> out.contains("alpha-1001"), WAIT);
            b.awaitOutput(out -> out.contains("bravo-2002"), WAIT);
            // Each shell must also be distinct: set a variable in one, read it in the other.
            a.type("export SECRET_A=only-in-a; echo set-$SECRET_A\r");
            a.awaitOutput(out -> out.contains("set-only-in-a"), WAIT);
            b.type("echo seen-[$SECRET_A]\r");
            b.awaitOutput(out -> out.contains("seen-[]"), WAIT);
            assertThat(a.output()).doesNotContain("bravo");
            assertThat(b.output()).doesNotContain("alpha-1001").doesNotContain("only-in-a\r\n");
        }
    }

    @Test
    void subprotocolCredentialIsAcceptedAndEchoed() throws Exception {
        relay.onlineDevice("dev-1");
        String token = relay.adminToken();
        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols("jwt", token)
                .buildAsync(relay.ws("/api/v1/devices/dev-1/terminal"), new java.net.http.WebSocket.Listener() {})
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ws.getSubprotocol()).isEqualTo("jwt");
        ws.abort();
    }
}
