package devicetunnel.relay.cluster;

import devicetunnel.relay.support.TestConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.RelayServer;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.auth.SecretTokens;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.AgentProcess;
import devicetunnel.relay.support.ClusterServices;
import devicetunnel.relay.support.OperatorCli;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relays as separate processes sharing a real PostgreSQL schema and a real NATS server (subjects of
 * their own), one agent process linked to relay B: operators on relays A and C reach the device
 * (terminal and file download on A, native OpenSSH on C) with the stream going straight to them, the device shows online on every relay,
 * and once B is killed its devices stop showing online within one lease period.
 */
@Timeout(290) // under HangGuard's 5-minute halt; a loaded 2-core machine needed 136 s for the long test
class ClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofSeconds(3);
    /** Files every relay of one cluster shares: its SSH client key, the user CA, the token secret. */
    private static final List<String> SHARED_SECRETS = List.of("relay_ed25519", "user_ca_ed25519", "jwt.secret", "totp.key");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> processes = new ArrayList<>();
    private String schema;
    private String prefix;
    private String enrollment;

    @BeforeEach
    void sharedServices() throws Exception {
        ClusterServices.requireAll();
        schema = ClusterServices.createSchema();
        prefix = ClusterServices.subjectPrefix();
        enrollment = SecretTokens.generate();
        try (RelayServer setup = new RelayServer(TestConfigs.relay(dir.resolve("seed")).withDatabaseUrl(dbUrl()))) {
            setup.users().add(new User(TestRelay.ADMIN, setup.passwordHasher().hash(TestRelay.PASSWORD.toCharArray()),
                    User.Role.ADMIN, Map.of()));
            setup.enrollments().create("test", new Enrollments.Request(true, true, Duration.ofHours(1), Map.of()), enrollment);
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable p : processes) {
            p.close();
        }
        ClusterServices.dropSchema(schema);
    }

    @Test
    void operatorsOnRelaysAAndCReachADeviceLinkedToRelayBAndBsDeathShowsWithinOneLease() throws Exception {
        RelayProcess a = relay("relay-a");
        RelayProcess b = relay("relay-b");
        RelayProcess c = relay("relay-c");
        AgentProcess agent = AgentProcess.start(RelayProcess.LEAN, b.baseUrl(), "dev-1", enrollment,
                Files.createDirectories(dir.resolve("agent")));
        processes.add(agent);

        String token = login(a.baseUrl()); // relays share the token secret: one login works on all
        for (RelayProcess r : List.of(a, b, c)) {
            await().atMost(WAIT).until(() -> online(r.baseUrl(), token, "dev-1"));
        }
        JsonNode ready = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(a.baseUrl() + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(ready.get("status").asText()).isEqualTo("ready");
        assertThat(ready.get("devicesOnline").asInt()).isZero(); // links held by this relay
        assertThat(ready.get("cluster").get("relayId").asText()).isEqualTo("relay-a");
        assertThat(ready.get("cluster").get("nats").asText()).isEqualTo("connected");
        assertThat(ready.get("cluster").get("lease").asText()).isEqualTo("held");

        // A shell through the sibling relay and on the relay holding the link (setup times: the bench's
        // cluster-setup figure).
        openShellAndExit(a.baseUrl(), token);
        openShellAndExit(b.baseUrl(), token);

        Path file = Files.writeString(dir.resolve("on-device.txt"), "bytes from the device, via relay A");
        HttpResponse<String> download = http.send(HttpRequest.newBuilder(URI.create(a.baseUrl()
                        + "/api/v1/devices/dev-1/files?path=" + URLEncoder.encode(file.toString(), StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("bytes from the device, via relay A");

        // Native mode: the operator's own OpenSSH through `devtunnel proxy` against relay C.
        OperatorCli operator = new OperatorCli(dir.resolve("operator"));
        operator.login(c.baseUrl(), TestRelay.ADMIN, TestRelay.PASSWORD);
        operator.sshConfig();
        OperatorCli.Result ssh = operator.run(Duration.ofSeconds(60), "ssh", "dev-1.devtunnel", "echo native-$((6*7))");
        assertThat(ssh.exitCode()).as(ssh.stderr()).isZero();
        assertThat(ssh.stdout()).contains("native-42");

        try (TerminalClient term = TerminalClient.connect(terminal(a.baseUrl()), token)) {
            term.awaitSessionId(WAIT);
            term.type("echo cross-$((6*7))\r");
            term.awaitOutput(TerminalClient.hasLine("cross-42"), WAIT);

            long killedAt = System.nanoTime();
            b.kill();
            // Judged by when each request was sent, not answered: a loaded machine may answer late.
            long[] lastAskedOnline = {0};
            await().atMost(LEASE.plusSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                long asked = System.nanoTime();
                boolean online = online(a.baseUrl(), token, "dev-1");
                if (online) {
                    lastAskedOnline[0] = asked - killedAt;
                }
                return !online;
            });
            Duration shownAfterDeath = Duration.ofNanos(lastAskedOnline[0]);
            assertThat(shownAfterDeath).isLessThanOrEqualTo(LEASE);
            assertThat(online(c.baseUrl(), token, "dev-1")).isFalse();

            // The session's bytes never went through B: the shell on A lives on without it.
            term.type("echo still-$((1+1))\r");
            term.awaitOutput(TerminalClient.hasLine("still-2"), WAIT);
        }
    }

    private void openShellAndExit(String relayUrl, String token) throws Exception {
        try (TerminalClient term = TerminalClient.connect(terminal(relayUrl), token)) {
            term.type("echo ready-$((40+2))\r");
            term.awaitOutput(TerminalClient.hasLine("ready-42"), WAIT);
            // End the shell, not just the tab (which would leave it detached, holding a slot): session
            // caps count every relay's sessions.
            term.type("exit\r");
            term.awaitClose(WAIT);
        }
    }

    private RelayProcess relay(String id) throws Exception {
        Path state = Files.createDirectories(dir.resolve(id));
        for (String name : SHARED_SECRETS) {
            Files.copy(dir.resolve("seed").resolve(name), state.resolve(name));
        }
        RelayProcess relay = RelayProcess.start(RelayProcess.LEAN, state,
                "--database-url", dbUrl(), "--cluster-nats-url", ClusterServices.NATS_URL, "--advertise-url", "listen",
                "--relay-id", id, "--cluster-subject-prefix", prefix, "--cluster-lease", LEASE.toMillis() + "ms",
                "--ping-interval", "1s");
        processes.add(relay);
        return relay;
    }

    private String dbUrl() {
        return ClusterServices.jdbcUrl(schema) + "&user=" + ClusterServices.PG_USER;
    }

    private static URI terminal(String relayUrl) {
        return URI.create(relayUrl.replace("http://", "ws://") + "/api/v1/devices/dev-1/terminal?cols=80&rows=24");
    }

    private boolean online(String relayUrl, String token, String deviceId) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(relayUrl + "/api/v1/devices"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode d : Json.MAPPER.readTree(response.body())) {
            if (d.get("id").asText().equals(deviceId)) {
                return d.get("online").asBoolean();
            }
        }
        return false;
    }

    private String login(String relayUrl) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(relayUrl + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("username", TestRelay.ADMIN,
                        "password", TestRelay.PASSWORD))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body()).get("token").asText();
    }
}
