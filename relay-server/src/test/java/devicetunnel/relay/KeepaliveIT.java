package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.agent.Agent;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.link.DeviceLink;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.support.TcpProxy;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Links through a misbehaving network (an in-test TCP proxy): idle-cutting middleboxes do not drop
 * idle sessions, half-open links are found within about two ping intervals, a reconnecting agent
 * replaces its stale link without the device flapping.
 */
@Timeout(120)
class KeepaliveIT {
    private static final Duration PING = Duration.ofMillis(300);
    private static final long IDLE_CUT_MILLIS = 1_000;
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    TestRelay relay;
    TcpProxy proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        relay.close();
    }

    private Agent agentViaProxy(Duration ping, long idleCutMillis) throws Exception {
        relay = new TestRelay(dir, c -> c.withPingInterval(ping));
        proxy = new TcpProxy(relay.server().port(), idleCutMillis);
        Agent agent = relay.startAgentVia(proxy.baseUrl(), "dev-1", dir.resolve("agent"));
        relay.awaitOnline("dev-1", true);
        await().atMost(WAIT).until(agent::isOnline);
        return agent;
    }

    private TerminalClient terminalVia(TcpProxy p) throws Exception {
        return TerminalClient.connect(URI.create("ws://127.0.0.1:" + p.port() + "/api/v1/devices/dev-1/terminal"),
                relay.adminToken());
    }

    @Test
    void idleSessionOutlivesAProxyThatCutsIdleConnections() throws Exception {
        Agent agent = agentViaProxy(PING, IDLE_CUT_MILLIS);
        try (TerminalClient term = terminalVia(proxy)) {
            term.awaitSessionId(WAIT);
            term.type("echo first-$((1+1))\r");
            term.awaitOutput(TerminalClient.hasLine("first-2"), WAIT);
            int connections = proxy.acceptedCount();

            // Nobody types for four times the proxy's idle limit; only keepalives cross it.
            await().during(Duration.ofMillis(4 * IDLE_CUT_MILLIS)).atMost(WAIT).until(() ->
                    proxy.idleCuts() == 0 && agent.isOnline() && relay.server().registry().isOnline("dev-1")
                            && !term.socket().isInputClosed());

            term.type("echo still-$((2+2))\r");
            term.awaitOutput(TerminalClient.hasLine("still-4"), WAIT);
            assertThat(proxy.acceptedCount()).as("no link was re-established").isEqualTo(connections);
        }
    }

    @Test
    void withoutPingsTheSameProxyCutsTheIdleControlLink() throws Exception {
        agentViaProxy(Duration.ofSeconds(30), IDLE_CUT_MILLIS);
        await().atMost(WAIT).until(() -> proxy.idleCuts() > 0);
    }

    @Test
    void halfOpenControlLinkIsDetectedOnBothEnds() throws Exception {
        Agent agent = agentViaProxy(PING, 0);
        proxy.blackHoleAll(true);
        await().atMost(PING.multipliedBy(4)).until(() -> !relay.server().registry().isOnline("dev-1"));
        await().atMost(PING.multipliedBy(4)).until(() -> !agent.isOnline());

        proxy.blackHoleAll(false);
        relay.awaitOnline("dev-1", true);
    }

    @Test
    void halfOpenTerminalSocketIsDroppedAndTheShellWaitsForTheBrowser() throws Exception {
        relay = new TestRelay(dir, c -> c.withPingInterval(PING));
        relay.onlineDevice("dev-1");
        proxy = new TcpProxy(relay.server().port(), 0);
        try (TerminalClient term = terminalVia(proxy)) {
            String id = term.awaitSessionId(WAIT);
            TerminalSession session = relay.server().sessions().find(id).orElseThrow();
            term.type("export MARK=kept-$((3*3))\r");
            await().atMost(WAIT).until(() -> term.pongsSent() > 0);

            proxy.blackHoleAll(true);
            await().atMost(PING.multipliedBy(4)).until(() -> !session.hasViewer());
            assertThat(session.isClosed()).isFalse();

            try (TerminalClient resumed = relay.resume(id, term.received(), relay.adminToken())) {
                resumed.awaitControl("session", WAIT);
                resumed.type("echo $MARK\r");
                resumed.awaitOutput(TerminalClient.hasLine("kept-9"), WAIT);
            }
        }
    }

    @Test
    void reconnectingAgentReplacesItsStaleLinkWithoutFlapping() throws Exception {
        agentViaProxy(PING, 0);
        DeviceLink stale = relay.server().registry().link("dev-1").orElseThrow();
        proxy.blackHoleExisting();

        await().atMost(WAIT).until(() -> relay.server().registry().link("dev-1").filter(l -> l != stale).isPresent());
        await().during(PING.multipliedBy(4)).atMost(WAIT).until(() ->
                relay.server().registry().isOnline("dev-1") && relay.server().registry().onlineCount() == 1);

        JsonNode devices = Json.MAPPER.readTree(relay.get("/api/v1/devices", relay.adminToken()).body());
        assertThat(devices).hasSize(1);
        assertThat(devices.get(0).get("id").asText()).isEqualTo("dev-1");
        assertThat(devices.get(0).get("online").asBoolean()).isTrue();
    }
}
