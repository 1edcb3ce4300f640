package devicetunnel.relay.webapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TestRelay;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device web apps end to end: a real HTTP and websocket server on the device's side, a real agent,
 * the relay's web-apps listener, and a client that reaches each app at its own origin.
 */
@Timeout(120)
class WebAppIT {
    private static final String PASSWORD = "operator password 1";
    @TempDir
    Path dir;
    private TestRelay relay;
    private DeviceWebApp deviceApp;
    private AppClient client;
    private String admin;
    private String operator;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir, c -> c.withWebApps(new RelayConfig.WebApps("127.0.0.1", 0, null)));
        deviceApp = new DeviceWebApp();
        client = new AppClient();
        relay.onlineDevice("cam-1", Map.of("env", "dev"));
        relay.addUser("op", PASSWORD, User.Role.OPERATOR, Map.of("env", "dev"));
        relay.addUser("outsider", PASSWORD, User.Role.OPERATOR, Map.of("env", "prod"));
        admin = relay.adminToken();
        operator = relay.login("op", PASSWORD);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        deviceApp.close();
        relay.close();
    }

    @Test
    void aStreamedBodyArrivesChunkByChunkAndHeadersAreTheAppsOwn() throws Exception {
        switchWebApps(true);
        App app = open(operator);
        InputStreamResponseListener listener = new InputStreamResponseListener();
        client.http.newRequest(app.origin + "/stream").headers(h -> h.put("Cookie", app.cookie)).send(listener);
        Response response = listener.get(15, TimeUnit.SECONDS);
        assertThat(response.getStatus()).isEqualTo(200);
        try (BufferedReader body = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))) {
            // The app writes its second half only after we saw the first: a relay buffering whole bodies never delivers it.
            assertThat(body.readLine()).isEqualTo("first half");
            deviceApp.firstHalfSeen.countDown();
            assertThat(body.readLine()).isEqualTo("second half");
        }

        ContentResponse echoed = client.http.POST(app.origin + "/echo").headers(h -> h.put("Cookie", app.cookie))
                .body(new StringRequestContent("text/plain", "x".repeat(300_000))).send();
        assertThat(echoed.getContentAsString()).hasSize(300_000);

        ContentResponse redirect = client.http.GET(app.origin + "/go-home");
        assertThat(redirect.getStatus()).isEqualTo(401); // no cookie: refused before the app
        redirect = client.http.newRequest(app.origin + "/go-home").headers(h -> h.put("Cookie", app.cookie)).send();
        assertThat(redirect.getHeaders().get("Location")).isEqualTo("/headers"); // stays on the app's origin
    }

    @Test
    void cookiesAreIsolatedBetweenTheRelayAndTheApp() throws Exception {
        switchWebApps(true);
        App app = open(operator);
        ContentResponse headers = client.http.newRequest(app.origin + "/headers")
                .headers(h -> h.put("Cookie", app.cookie + "; mine=1")).send();
        assertThat(headers.getStatus()).isEqualTo(200);
        // The relay's cookie never reaches the app; the app's own cookies do.
        assertThat(headers.getContentAsString()).contains("cookie=mine=1\n").doesNotContain("devtunnel_app");
        assertThat(headers.getContentAsString()).contains("host=" + URI.create(app.origin).getAuthority());

        ContentResponse set = client.http.newRequest(app.origin + "/set-cookie").headers(h -> h.put("Cookie", app.cookie)).send();
        List<String> setCookies = set.getHeaders().getValuesList("Set-Cookie");
        // Host-only: no Domain that would reach sibling apps or a console under the same parent; no forged relay cookie.
        assertThat(setCookies).containsExactly("appsession=s1; Path=/; HttpOnly");

        // Another app of the same operator is another origin, with a cookie of its own.
        App other = open(operator);
        assertThat(other.origin).isNotEqualTo(app.origin);
        assertThat(client.http.newRequest(other.origin + "/headers").headers(h -> h.put("Cookie", app.cookie)).send()
                .getStatus()).isEqualTo(401);
        // The launch link works once.
        assertThat(client.http.GET(app.launchUrl).getStatus()).isEqualTo(401);
    }

    @Test
    void aWebsocketInsideTheAppEchoes() throws Exception {
        switchWebApps(true);
        App app = open(operator);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
        upgrade.setHeader("Cookie", app.cookie);
        Session session = client.ws.connect(new Texts(received), URI.create(app.origin.replace("http://", "ws://") + "/ws"), upgrade).get(15, TimeUnit.SECONDS);
        session.sendText("hello device", Callback.NOOP);
        assertThat(received.poll(15, TimeUnit.SECONDS)).isEqualTo("hello device");
        String big = "y".repeat(60_000); // many SSH packets, under the device server's 64 KiB message limit
        session.sendText(big, Callback.NOOP);
        assertThat(received.poll(15, TimeUnit.SECONDS)).as("the 60 KB echo").hasSize(big.length()).isEqualTo(big);
        session.close();
    }

    @Test
    void theSwitchOffRefusesOpeningAndRequestsWithAClearStatus() throws Exception {
        HttpResponse<String> refused = relay.post("/api/v1/devices/cam-1/web-apps", operator, "{\"port\":" + deviceApp.port() + "}");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("forbidden").contains("switched off");

        switchWebApps(true);
        App app = open(operator);
        assertThat(get(app, "/headers").getStatus()).isEqualTo(200);
        switchWebApps(false);
        ContentResponse off = get(app, "/headers");
        assertThat(off.getStatus()).isEqualTo(403);
        assertThat(off.getContentAsString()).contains("\"error\":\"forbidden\"").contains("switched off");
    }

    @Test
    void anOperatorOutOfScopeIsRefused() throws Exception {
        switchWebApps(true);
        String outsider = relay.login("outsider", PASSWORD);
        HttpResponse<String> refused = relay.post("/api/v1/devices/cam-1/web-apps", outsider, "{\"port\":" + deviceApp.port() + "}");
        assertThat(refused.statusCode()).isEqualTo(404); // like every other device beyond their labels

        App app = open(operator);
        assertThat(get(app, "/headers").getStatus()).isEqualTo(200);
        relay.send("PATCH", "/api/v1/users/op", admin, Map.of("labels", Map.of("env", "prod")));
        assertThat(get(app, "/headers").getStatus()).isEqualTo(403);
        assertThat(get(app, "/headers").getStatus()).isEqualTo(404); // the app was closed with the right
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingOpens() throws Exception {
        switchWebApps(true);
        assertThat(relay.post("/api/v1/devices/cam-1/web-apps", operator, "{\"port\":0}").statusCode()).isEqualTo(400);
        assertThat(relay.post("/api/v1/devices/cam-1/web-apps", operator, "{\"port\":80,\"path\":\"//evil.example\"}")
                .statusCode()).isEqualTo(400);
        App nothingListens = open(operator, 1);
        ContentResponse refused = get(nothingListens, "/");
        assertThat(refused.getStatus()).isEqualTo(502);
        assertThat(refused.getContentAsString()).contains("port 1");
    }

    private ContentResponse get(App app, String path) throws Exception {
        return client.http.newRequest(app.origin + path).headers(h -> h.put("Cookie", app.cookie)).send();
    }

    private void switchWebApps(boolean on) throws Exception {
        assertThat(relay.send("PATCH", "/api/v1/devices/cam-1/features", admin, Map.of("webApps", on)).statusCode())
                .isEqualTo(200);
    }

    private App open(String token) throws Exception {
        return open(token, deviceApp.port());
    }

    /** Opens the app through the API and redeems its launch link, as the console's new window does. */
    private App open(String token, int port) throws Exception {
        HttpResponse<String> opened = relay.post("/api/v1/devices/cam-1/web-apps", token, "{\"port\":" + port + "}");
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
        JsonNode app = Json.MAPPER.readTree(opened.body());
        ContentResponse launch = client.http.GET(app.get("url").asText());
        assertThat(launch.getStatus()).isEqualTo(303);
        assertThat(launch.getHeaders().get("Location")).isEqualTo("/");
        String setCookie = launch.getHeaders().get("Set-Cookie");
        assertThat(setCookie).startsWith("devtunnel_app=").contains("HttpOnly").contains("SameSite=Lax")
                .doesNotContainIgnoringCase("domain");
        return new App(app.get("origin").asText(), app.get("url").asText(), setCookie.substring(0, setCookie.indexOf(';')));
    }

    /** Collects text messages (public: Jetty calls it reflectively). */
    public static final class Texts implements Session.Listener.AutoDemanding {
        private final BlockingQueue<String> received;

        Texts(BlockingQueue<String> received) {
            this.received = received;
        }

        @Override
        public void onWebSocketText(String message) {
            received.add(message);
        }
    }

    private record App(String origin, String launchUrl, String cookie) {}
}
