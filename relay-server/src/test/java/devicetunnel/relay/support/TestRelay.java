package devicetunnel.relay.support;

import devicetunnel.agent.Agent;
import devicetunnel.agent.link.DeviceCredential;
import devicetunnel.agent.link.RelayEndpoint;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.RelayServer;
import devicetunnel.relay.auth.SecretTokens;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.User;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;

import static org.awaitility.Awaitility.await;

/** A relay on port 0 with an admin account, plus helpers to register devices and start real agents. */
public final class TestRelay implements AutoCloseable {
    public static final String ADMIN = "admin";
    public static final String PASSWORD = "correct horse battery";

    private final Path dir;
    private final RelayServer relay;
    private final List<Agent> agents = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    public TestRelay(Path dir) throws IOException {
        this(dir, UnaryOperator.identity());
    }

    public TestRelay(Path dir, UnaryOperator<RelayConfig> customize) throws IOException {
        this.dir = dir;
        this.relay = new RelayServer(customize.apply(RelayConfig.forTests(dir.resolve("relay")))).start();
        addUser(ADMIN, PASSWORD, User.Role.ADMIN, Map.of());
    }

    public RelayServer server() {
        return relay;
    }

    public String baseUrl() {
        return relay.baseUrl();
    }

    public URI ws(String path) {
        return URI.create(baseUrl().replace("http://", "ws://") + path);
    }

    public void addUser(String name, String password, User.Role role, Map<String, String> labels) {
        relay.users().add(new User(name, relay.passwordHasher().hash(password.toCharArray()), role, labels));
    }

    /** Registers a device and returns its token. */
    public String addDevice(String id, Map<String, String> labels) {
        String token = SecretTokens.generate();
        relay.devices().add(new Device(id, "Device " + id, labels, SecretTokens.hash(token), null, Device.Status.ACCEPTED, null));
        return token;
    }

    /** Starts a real agent (own SSH server, PTY shell) for a registered device. */
    public Agent startAgent(String id, String token) throws IOException {
        return startAgent(id, token, dir.resolve("agent-" + id));
    }

    public Agent startAgent(String id, String token, Path stateDir) throws IOException {
        return startAgent(id, token, stateDir, false);
    }

    /** An agent whose owner allows port forwarding (the relay's per-device switch must allow it too). */
    public Agent startAgent(String id, String token, Path stateDir, boolean allowForwarding) throws IOException {
        Agent.AgentConfig config = new Agent.AgentConfig(RelayEndpoint.parse(baseUrl(), false),
                new DeviceCredential(id, token), stateDir, List.of("/bin/bash", "--norc", "--noprofile", "-i"), allowForwarding, null,
                Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(2));
        Agent agent = new Agent(config).start();
        agents.add(agent);
        return agent;
    }

    /** Registers a device, starts its agent and waits until the relay shows it online. */
    public Agent onlineDevice(String id) throws IOException {
        Agent agent = startAgent(id, addDevice(id, Map.of()));
        awaitOnline(id, true);
        return agent;
    }

    public void awaitOnline(String id, boolean online) {
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.registry().isOnline(id) == online);
    }

    /** Logs in through the public API and returns the JWT. */
    public String login(String user, String password) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("username", user, "password", password))))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("login failed: " + response.statusCode() + " " + response.body());
        }
        JsonNode body = Json.MAPPER.readTree(response.body());
        return body.get("token").asText();
    }

    public String adminToken() throws Exception {
        return login(ADMIN, PASSWORD);
    }

    public HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a JSON body with the given method (PATCH, POST, PUT) and returns the response. */
    public HttpResponse<String> send(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public TerminalClient terminal(String deviceId, String token, int cols, int rows) throws Exception {
        return TerminalClient.connect(ws("/api/v1/devices/" + deviceId + "/terminal?cols=" + cols + "&rows=" + rows), token);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws Exception {
        for (Agent a : agents) {
            a.close();
        }
        relay.close();
        Files.walk(dir).count(); // keep @TempDir cleanup happy even if agents wrote late
    }
}
