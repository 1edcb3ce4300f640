package devicetunnel.relay.support;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.RelayServer;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.auth.SecretTokens;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Relays as child JVMs sharing a fresh PostgreSQL schema and NATS subjects of their own (see
 * {@link ClusterServices}), the shared secrets copied from one seed state dir, agents as child
 * JVMs. Relays are named; a stopped relay starts again on its port under the same id.
 */
public final class TestCluster implements AutoCloseable {
    /** Files every relay of one cluster shares: its SSH client key, the user CA, the token secret. */
    private static final List<String> SHARED_SECRETS = List.of("relay_ed25519", "user_ca_ed25519", "jwt.secret");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path dir;
    private final String natsUrl;
    private final Duration lease;
    private final String schema;
    private final String prefix = ClusterServices.subjectPrefix();
    private final String enrollment = SecretTokens.generate();
    private final Map<String, RelayProcess> relays = new LinkedHashMap<>();
    private final Map<String, String> listenOf = new LinkedHashMap<>();
    private final List<AutoCloseable> others = new ArrayList<>();

    public TestCluster(Path dir, String natsUrl, Duration lease) throws Exception {
        ClusterServices.requirePostgres();
        this.dir = dir;
        this.natsUrl = natsUrl;
        this.lease = lease;
        this.schema = ClusterServices.createSchema();
        try (RelayServer setup = new RelayServer(TestConfigs.relay(dir.resolve("seed")).withDatabaseUrl(dbUrl()))) {
            setup.users().add(new User(TestRelay.ADMIN, setup.passwordHasher().hash(TestRelay.PASSWORD.toCharArray()),
                    User.Role.ADMIN, Map.of()));
            setup.enrollments().create("test", new Enrollments.Request(true, true, Duration.ofHours(1), Map.of()), enrollment);
        }
    }

    /** Starts relay {@code id} (first time: on a free port, later: on the port it had). */
    public RelayProcess start(String id, String... extraArgs) throws Exception {
        Path state = dir.resolve(id);
        if (!Files.isDirectory(state)) {
            Files.createDirectories(state);
            for (String name : SHARED_SECRETS) {
                Files.copy(dir.resolve("seed").resolve(name), state.resolve(name));
            }
        }
        List<String> args = new ArrayList<>(List.of("--database-url", dbUrl(), "--cluster-nats-url", natsUrl,
                "--advertise-url", "listen", "--relay-id", id, "--cluster-subject-prefix", prefix,
                "--cluster-lease", lease.toMillis() + "ms", "--ping-interval", "1s"));
        args.addAll(List.of(extraArgs));
        String listen = listenOf.get(id);
        RelayProcess relay = listen == null
                ? RelayProcess.start(RelayProcess.LEAN, state, args.toArray(String[]::new))
                : RelayProcess.startOn(listen, state, args.toArray(String[]::new));
        listenOf.put(id, relay.baseUrl().replace("http://", ""));
        RelayProcess old = relays.put(id, relay);
        if (old != null) {
            old.close();
        }
        return relay;
    }

    public RelayProcess relay(String id) {
        return relays.get(id);
    }

    /** The relays' ports, in start order (for a {@link Balancer}). */
    public List<Integer> ports() {
        return relays.values().stream().map(r -> URI.create(r.baseUrl()).getPort()).toList();
    }

    public AgentProcess agent(String deviceId, String relayUrl) throws Exception {
        AgentProcess agent = AgentProcess.start(RelayProcess.LEAN, relayUrl, deviceId, enrollment,
                Files.createDirectories(dir.resolve("agent-" + deviceId)));
        others.add(agent);
        return agent;
    }

    /** Closed with the cluster. */
    public <T extends AutoCloseable> T add(T resource) {
        others.add(resource);
        return resource;
    }

    public String dbUrl() {
        return ClusterServices.jdbcUrl(schema) + "&user=" + ClusterServices.PG_USER;
    }

    public static String login(String relayUrl) throws Exception {
        return RelayProcess.adminToken(relayUrl);
    }

    public static JsonNode readyz(String relayUrl) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(relayUrl + "/readyz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.MAPPER.readTree(r.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("httpStatus", r.statusCode());
        return body;
    }

    /** Links this relay holds itself (its /readyz devicesOnline); -1 when it does not answer. */
    public static int linksHeld(String relayUrl) {
        try {
            return readyz(relayUrl).get("devicesOnline").asInt();
        } catch (Exception e) {
            return -1;
        }
    }

    public static boolean online(String relayUrl, String token, String deviceId) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(relayUrl + "/api/v1/devices"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode d : Json.MAPPER.readTree(response.body())) {
            if (d.get("id").asText().equals(deviceId)) {
                return d.get("online").asBoolean();
            }
        }
        return false;
    }

    public static URI terminal(String relayUrl, String deviceId) {
        return URI.create(relayUrl.replace("http://", "ws://") + "/api/v1/devices/" + deviceId + "/terminal?cols=80&rows=24");
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : others) {
            c.close();
        }
        for (RelayProcess r : relays.values()) {
            r.close();
        }
        ClusterServices.dropSchema(schema);
    }
}
