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
    private final RelayConfig config;
    private RelayServer relay;
    private final List<Agent> agents = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    public TestRelay(Path dir) throws IOException {
        this(dir, UnaryOperator.identity());
    }

    public TestRelay(Path dir, UnaryOperator<RelayConfig> customize) throws IOException {
        this.dir = dir;
        this.config = customize.apply(RelayConfig.forTests(dir.resolve("relay")));
        this.relay = new RelayServer(config).start();
        addUser(ADMIN, PASSWORD, User.Role.ADMIN, Map.of());
    }

    /** Stops the relay and starts a new one on the same port and state (a restart or an upgrade). */
    /** Stops the relay; {@link #startAgain()} brings a new one up on the same port and state. */
    public int stop() {
        int port = relay.port();
        relay.close();
        return port;
    }

    public void startAgain(int port) throws IOException {
        relay = new RelayServer(config.withPort(port)).start();
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
        return startAgentVia(baseUrl(), id, token, stateDir);
    }

    /** An agent that dials {@code relayUrl} (e.g. a proxy in front of this relay). */
    public Agent startAgentVia(String relayUrl, String id, String token, Path stateDir) throws IOException {
        Agent agent = new Agent(agentConfig(relayUrl, id, token, stateDir)).start();
        agents.add(agent);
        return agent;
    }

    /** Test agents: bash without rc files, reconnect backoff from 100 ms capped at {@link #AGENT_BACKOFF_CAP}. */
    public static Agent.AgentConfig agentConfig(String relayUrl, String id, String token, Path stateDir) {
        return new Agent.AgentConfig(RelayEndpoint.parse(relayUrl, false),
                new DeviceCredential(id, token), stateDir, List.of("/bin/bash", "--norc", "--noprofile", "-i"), false, null,
                Duration.ofSeconds(5), Duration.ofMillis(100), AGENT_BACKOFF_CAP);
    }

    public static final Duration AGENT_BACKOFF_CAP = Duration.ofSeconds(2);

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

    public TerminalClient terminal(String deviceId, String token, int cols, int rows) throws Exception {
        return TerminalClient.connect(ws("/api/v1/devices/" + deviceId + "/terminal?cols=" + cols + "&rows=" + rows), token);
    }

    /** Resumes a session as the web UI does after its websocket dropped, having seen {@code offset} output bytes. */
    public TerminalClient resume(String sessionId, long offset, String token) throws Exception {
        return TerminalClient.connect(ws("/api/v1/sessions/" + sessionId + "/terminal?offset=" + offset), token);
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
