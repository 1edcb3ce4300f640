package devicetunnel.relay.support;

import devicetunnel.relay.ssh.OutputGovernor;
import java.util.function.DoubleSupplier;
import devicetunnel.agent.Agent;
import devicetunnel.agent.link.RelayEndpoint;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.RelayServer;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.store.User;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import javax.net.ssl.SSLContext;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
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
    private final HttpClient http;
    private final DoubleSupplier cpuLoad;

    public TestRelay(Path dir) throws IOException {
        this(dir, UnaryOperator.identity());
    }

    public TestRelay(Path dir, UnaryOperator<RelayConfig> customize) throws IOException {
        this(dir, customize, HttpClient.newHttpClient());
    }

    /** {@code http} is the client the helpers use (one trusting the test CA for a TLS relay). */
    public TestRelay(Path dir, UnaryOperator<RelayConfig> customize, HttpClient http) throws IOException {
        this(dir, customize, http, OutputGovernor.machineCpuLoad());
    }

    /** {@code cpuLoad}: the machine's load as the relay's interactive priority reads it. */
    public TestRelay(Path dir, UnaryOperator<RelayConfig> customize, HttpClient http, DoubleSupplier cpuLoad)
            throws IOException {
        this.dir = dir;
        this.http = http;
        this.cpuLoad = cpuLoad;
        this.config = customize.apply(TestConfigs.relay(dir.resolve("relay")));
        this.relay = new RelayServer(config, cpuLoad).start();
        addUser(ADMIN, PASSWORD, User.Role.ADMIN, Map.of());
    }

    /** Stops the relay; {@link #startAgain(int)} brings a new one up on the same port and state. */
    public int stop() {
        int port = relay.port();
        relay.close();
        return port;
    }

    public void startAgain(int port) throws IOException {
        relay = new RelayServer(config.withPort(port), cpuLoad).start();
    }

    public RelayServer server() {
        return relay;
    }

    public String baseUrl() {
        return relay.baseUrl();
    }

    public URI ws(String path) {
        return URI.create(baseUrl().replaceFirst("^http", "ws") + path);
    }

    public HttpClient http() {
        return http;
    }

    public void addUser(String name, String password, User.Role role, Map<String, String> labels) {
        relay.users().add(new User(name, relay.passwordHasher().hash(password.toCharArray()), role, labels));
    }

    /** Creates an enrollment token and returns its secret. */
    public String enrollmentToken(boolean reusable, boolean autoAccept, Map<String, String> labels) {
        return relay.enrollments().create("test", new Enrollments.Request(reusable, autoAccept, Duration.ofHours(1), labels))
                .secret();
    }

    /** Writes an enrollment token where an agent's {@code --enrollment-token-file} would point. */
    public Path tokenFile(String token) throws IOException {
        Path file = Files.createTempFile(dir, "enroll", ".token");
        KeyFiles.writePrivate(file, token.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /** Enrolls (and accepts) a device with a fresh host key but no agent; returns the key, e.g. to forge proofs. */
    public KeyPair enrollDevice(String id, Map<String, String> labels) {
        KeyPair hostKey = KeyFiles.generate();
        relay.enrollments().enroll(enrollmentToken(false, true, labels), id, PublicKeyEntry.toString(hostKey.getPublic()),
                "127.0.0.1");
        return hostKey;
    }

    /**
     * Enrolls a device with the host key an agent using {@code stateDir} will have, without starting
     * it: the device is known (accepted, never seen) before its agent first connects.
     */
    public Path enrollAgentState(String id, Path stateDir, Map<String, String> labels) throws IOException {
        KeyPair hostKey = KeyFiles.loadOrCreate(stateDir.resolve("host_ed25519"));
        relay.enrollments().enroll(enrollmentToken(false, true, labels), id, PublicKeyEntry.toString(hostKey.getPublic()),
                "127.0.0.1");
        return stateDir;
    }

    /** Starts a real agent (own SSH server, PTY shell) that enrolls with an auto-accept token the first time. */
    public Agent startAgent(String id, Map<String, String> labels) throws IOException {
        return startAgent(id, dir.resolve("agent-" + id), tokenFile(enrollmentToken(false, true, labels)));
    }

    /** An agent that dials {@code relayUrl} (e.g. a proxy in front of this relay), enrolling the first time. */
    public Agent startAgentVia(String relayUrl, String id, Path stateDir) throws IOException {
        return startAgent(id, stateDir, tokenFile(enrollmentToken(false, true, Map.of())), null, relayUrl);
    }

    /** Starts a real agent with the given state directory; {@code enrollmentTokenFile} may be null once enrolled. */
    public Agent startAgent(String id, Path stateDir, Path enrollmentTokenFile) throws IOException {
        return startAgent(id, stateDir, enrollmentTokenFile, null, baseUrl());
    }

    public Agent startAgent(String id, Path stateDir, Path enrollmentTokenFile, SSLContext tls, String relayUrl) throws IOException {
        return startAgent(id, stateDir, enrollmentTokenFile, tls, relayUrl, false);
    }

    /** {@code allowForwarding}: the device owner allows port forwarding (the relay's per-device switch must too). */
    public Agent startAgent(String id, Path stateDir, Path enrollmentTokenFile, SSLContext tls, String relayUrl,
                            boolean allowForwarding) throws IOException {
        Agent agent = new Agent(agentConfig(relayUrl, id, enrollmentTokenFile, stateDir, tls, allowForwarding)).start();
        agents.add(agent);
        return agent;
    }

    /** Test agents: bash without rc files, reconnect backoff from 100 ms capped at {@link #AGENT_BACKOFF_CAP}. */
    public static Agent.AgentConfig agentConfig(String relayUrl, String id, Path enrollmentTokenFile, Path stateDir,
                                                SSLContext tls, boolean allowForwarding) {
        return new Agent.AgentConfig(RelayEndpoint.parse(relayUrl, false), id, enrollmentTokenFile, stateDir,
                List.of("/bin/bash", "--norc", "--noprofile", "-i"), allowForwarding, tls,
                Duration.ofSeconds(5), Duration.ofMillis(100), AGENT_BACKOFF_CAP);
    }

    public static final Duration AGENT_BACKOFF_CAP = Duration.ofSeconds(2);

    /** Enrolls a device through a real agent and waits until the relay shows it online. */
    public Agent onlineDevice(String id) throws IOException {
        return onlineDevice(id, Map.of());
    }

    public Agent onlineDevice(String id, Map<String, String> labels) throws IOException {
        Agent agent = startAgent(id, labels);
        awaitOnline(id, true);
        return agent;
    }

    public void awaitOnline(String id, boolean online) {
        awaitOnline(id, online, Duration.ofSeconds(15));
    }

    public void awaitOnline(String id, boolean online, Duration atMost) {
        await().atMost(atMost).until(() -> relay.registry().isOnline(id) == online);
    }

    /**
     * A login token of {@code user} whose second factor was checked {@code factorAge} ago, signed with
     * this relay's key: how a login looks once that much time has passed (for step-up tests).
     */
    public String tokenWithFactorAge(String user, java.time.Duration factorAge) throws IOException {
        byte[] secret = config.jwtSecret() != null ? config.jwtSecret()
                : java.nio.file.Files.readString(config.stateDir().resolve("jwt.secret")).strip()
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.time.Clock then = java.time.Clock.offset(java.time.Clock.systemUTC(), factorAge.negated());
        return new devicetunnel.relay.auth.TokenService(secret, config.tokenLifetime(), then, null)
                .issue(relay.users().find(user).orElseThrow(), true).token();
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
        return send(authorized(path, token).GET().build());
    }

    /** Sends a JSON body with the given method (PATCH, POST, PUT) and returns the response. */
    public HttpResponse<String> send(String method, String path, String token, Object body) throws Exception {
        return sendJson(method, path, token, Json.write(body));
    }

    /** POSTs {@code json} as it is (malformed bodies included). */
    public HttpResponse<String> post(String path, String token, String json) throws Exception {
        return sendJson("POST", path, token, json);
    }

    private HttpResponse<String> sendJson(String method, String path, String token, String json) throws Exception {
        return send(authorized(path, token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** A request to this relay, with the operator token when there is one. */
    private HttpRequest.Builder authorized(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    public HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public TerminalClient terminal(String deviceId, String token, int cols, int rows) throws Exception {
        return TerminalClient.connect(http, ws("/api/v1/devices/" + deviceId + "/terminal?cols=" + cols + "&rows=" + rows), token);
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
