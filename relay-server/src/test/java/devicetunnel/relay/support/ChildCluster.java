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
import java.util.List;
import java.util.Map;

/**
 * Relays as child JVMs on one fresh PostgreSQL schema and NATS subject prefix, sharing their secrets
 * (seeded once with the test admin and an auto-accepting enrollment token). Whatever it starts, or
 * is handed with {@link #own}, is closed with it, newest first, before the schema is dropped.
 */
public final class ChildCluster implements AutoCloseable {
    /** Files every relay of one cluster shares: its SSH client key, the user CA, the token secret. */
    private static final List<String> SHARED_SECRETS = List.of("relay_ed25519", "user_ca_ed25519", "jwt.secret");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path dir;
    private final Duration lease;
    private final String schema;
    private final String prefix;
    private final String enrollment;
    private final List<AutoCloseable> owned = new ArrayList<>();

    private ChildCluster(Path dir, Duration lease, String schema, String prefix, String enrollment) {
        this.dir = dir;
        this.lease = lease;
        this.schema = schema;
        this.prefix = prefix;
        this.enrollment = enrollment;
    }

    public static ChildCluster create(Path dir, Duration lease) throws Exception {
        ClusterServices.requireAll();
        String schema = ClusterServices.createSchema();
        String enrollment = SecretTokens.generate();
        ChildCluster cluster = new ChildCluster(dir, lease, schema, ClusterServices.subjectPrefix(), enrollment);
        try (RelayServer setup = new RelayServer(TestConfigs.relay(dir.resolve("seed")).withDatabaseUrl(cluster.dbUrl()))) {
            setup.users().add(new User(TestRelay.ADMIN, setup.passwordHasher().hash(TestRelay.PASSWORD.toCharArray()),
                    User.Role.ADMIN, Map.of()));
            setup.enrollments().create("test", new Enrollments.Request(true, true, Duration.ofHours(1), Map.of()), enrollment);
        }
        return cluster;
    }

    /** A state dir for relay {@code id} holding the cluster's shared secrets. */
    public Path relayState(String id) throws Exception {
        Path state = Files.createDirectories(dir.resolve(id));
        for (String name : SHARED_SECRETS) {
            Files.copy(dir.resolve("seed").resolve(name), state.resolve(name));
        }
        return state;
    }

    /** Registers accepted devices {@code sim-00000...} sharing {@code hostKey}, for simulated agents. */
    public void registerSimulatedDevices(int count, String hostKey) throws Exception {
        try (RelayServer setup = new RelayServer(TestConfigs.relay(dir.resolve("seed")).withDatabaseUrl(dbUrl()))) {
            for (int i = 0; i < count; i++) {
                String id = String.format("sim-%05d", i);
                setup.devices().add(new devicetunnel.relay.store.Device(id, id, Map.of(), hostKey,
                        devicetunnel.relay.store.Device.Status.ACCEPTED, null), null);
            }
        }
    }

    /** A relay (relay-server serve) advertising the URL it listens on, with 1 s pings; {@code extraArgs} come last. */
    public RelayProcess relay(String id, List<String> jvmArgs, String... extraArgs) throws Exception {
        Path state = relayState(id);
        List<String> args = new ArrayList<>(List.of("--database-url", dbUrl(), "--cluster-nats-url", ClusterServices.NATS_URL,
                "--advertise-url", "listen", "--relay-id", id, "--cluster-subject-prefix", prefix,
                "--cluster-lease", lease.toMillis() + "ms", "--ping-interval", "1s"));
        args.addAll(List.of(extraArgs));
        return own(RelayProcess.start(jvmArgs, state, args.toArray(String[]::new)));
    }

    public RelayProcess relay(String id) throws Exception {
        return relay(id, RelayProcess.LEAN);
    }

    /** An agent process enrolling as {@code deviceId} against {@code relayUrl}. */
    public AgentProcess agent(String relayUrl, String deviceId, String... extraArgs) throws Exception {
        return own(AgentProcess.start(RelayProcess.LEAN, relayUrl, deviceId, enrollment,
                Files.createDirectories(dir.resolve("agent-" + deviceId)), extraArgs));
    }

    public Path agentLog(String deviceId) {
        return dir.resolve("agent-" + deviceId).resolve("agent.log");
    }

    public <T extends AutoCloseable> T own(T closeable) {
        owned.add(closeable);
        return closeable;
    }

    public String subjectPrefix() {
        return prefix;
    }

    public String enrollment() {
        return enrollment;
    }

    public String dbUrl() {
        return ClusterServices.jdbcUrl(schema) + "&user=" + ClusterServices.PG_USER;
    }

    public static URI terminal(String relayUrl, String deviceId) {
        return URI.create(relayUrl.replace("http://", "ws://") + "/api/v1/devices/" + deviceId + "/terminal?cols=80&rows=24");
    }

    /** Whether {@code relayUrl}'s device list shows the device online. */
    public static boolean online(String relayUrl, String token, String deviceId) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(relayUrl + "/api/v1/devices"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode d : Json.MAPPER.readTree(response.body())) {
            if (d.get("id").asText().equals(deviceId)) {
                return d.get("online").asBoolean();
            }
        }
        return false;
    }

    @Override
    public void close() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        ClusterServices.dropSchema(schema);
    }
}
