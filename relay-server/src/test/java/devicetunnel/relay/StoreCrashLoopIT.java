package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.cli.RelayMain;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.SqliteFiles;
import devicetunnel.relay.store.StoreCheck;
import devicetunnel.relay.support.RelayProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12/21: a relay killed with SIGKILL at a random moment while it writes loses nothing it
 * acknowledged and never leaves a damaged store. Each round: a user added by the CLI (relay down),
 * a child-JVM relay started, a login, then enrollment tokens created and devices enrolled through
 * the API until the kill lands at a random moment; then the store file is checked and every acknowledged write looked
 * up. The next round's start is the restart (it refuses a damaged store).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StoreCrashLoopIT {
    /**
     * The 50 rounds: about 3.5 minutes on an idle 2-core machine (a round is mostly the
     * child JVM starting, ~3-5 s); -Dcrashloop.rounds=N for a quicker or longer run.
     */
    private static final int ROUNDS = Integer.getInteger("crashloop.rounds", 50);
    private static final String PASSWORD = "crash loop password";
    /**
     * {@code -Dcrashloop.store=h2} runs the same loop on the old embedded store (H2, through
     * --database-url with the URL the relay used to build), to show what this test catches.
     */
    private static final boolean H2 = "h2".equals(System.getProperty("crashloop.store"));

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Set<String> tokens = new HashSet<>();
    private final Set<String> devices = new HashSet<>();
    private final Set<String> users = new HashSet<>();
    private int logins;

    @Test
    void killNineDuringWritesLosesNoAcknowledgedWriteAndCorruptsNothing() throws Exception {
        Path state = dir.resolve("state");
        Path passwordFile = Files.writeString(dir.resolve("pw"), PASSWORD);
        addUser(state, passwordFile, "admin", "admin");
        String hostKey = PublicKeyEntry.toString(devicetunnel.protocol.KeyFiles.generate().getPublic());
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                addUser(state, passwordFile, "u" + round, "viewer");
                List<String> args = new ArrayList<>(List.of("--login-rate", "0", "--store-probe-interval", "1s"));
                args.addAll(storeArgs(state));
                RelayProcess relay = RelayProcess.start(state, RelayProcess.LEAN, dir.resolve("relay-" + (round % 2) + ".log"),
                        args.toArray(String[]::new));
                writeUntilKilled(relay, killer, round, hostKey);
                relay.close();
                List<String> problems = H2 ? h2Problems(state) : StoreCheck.integrity(SqliteFiles.db(state));
                assertThat(problems).as("round %d", round).isEmpty();
                int[] missing = missingAcknowledged(H2 ? h2Url(state) : SqliteFiles.url(SqliteFiles.db(state)));
                assertThat(missing).as("acknowledged writes lost in round %d (tokens, devices, users, login audits, "
                        + "token audits, enrollment audits)", round).containsOnly(0);
            }
        } finally {
            killer.shutdownNow();
        }
        assertThat(tokens).hasSizeGreaterThan(ROUNDS / 2); // the kills did land during writes
    }

    private static List<String> storeArgs(Path state) {
        return H2 ? List.of("--database-url", h2Url(state)) : List.of();
    }

    private static String h2Url(Path state) {
        return "jdbc:h2:file:" + state.toAbsolutePath().resolve("relay") + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    private static List<String> h2Problems(Path state) {
        try (Connection c = DriverManager.getConnection(h2Url(state)); Statement s = c.createStatement()) {
            s.executeQuery("SELECT COUNT(*) FROM devices").close();
            return List.of();
        } catch (Exception e) {
            return List.of(e.getMessage());
        }
    }

    private void addUser(Path state, Path passwordFile, String name, String role) {
        List<String> args = new ArrayList<>(List.of("user", "add", name, "--role", role, "--password-file",
                passwordFile.toString(), "--state-dir", state.toString()));
        args.addAll(storeArgs(state));
        int code = RelayMain.commandLine().execute(args.toArray(String[]::new));
        assertThat(code).isZero();
        users.add(name);
    }

    /**
     * Logs in (a login is an audited write too), arms the kill at a random moment, then writes
     * through the API until a request fails; only answered writes are counted as acknowledged.
     */
    private void writeUntilKilled(RelayProcess relay, ScheduledExecutorService killer, int round, String hostKey) {
        String base = relay.baseUrl();
        try {
            // one login per round: Argon2 in a lean child JVM costs most of a second
            String token = Json.MAPPER.readTree(post(base + "/api/v1/auth/login", null,
                    "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}", 200)).get("token").asText();
            logins++;
            killer.schedule(() -> { relay.kill(); return null; },
                    ThreadLocalRandom.current().nextInt(0, 400), TimeUnit.MILLISECONDS);
            for (int i = 0; ; i++) {
                var created = Json.MAPPER.readTree(post(base + "/api/v1/enrollments", token,
                        "{\"reusable\":false,\"autoAccept\":true}", 201));
                tokens.add(created.get("id").asText());
                String deviceId = "d" + round + "-" + i;
                post(base + "/agent/v1/enroll", created.get("token").asText(),
                        "{\"deviceId\":\"" + deviceId + "\",\"hostKey\":\"" + hostKey + "\"}", 200);
                devices.add(deviceId);
            }
        } catch (Exception killed) {
            // the relay died mid-request: that write was never acknowledged
        }
    }

    private String post(String url, String bearer, String json, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** How many acknowledged writes are gone, per kind (see the assertion's message). */
    private int[] missingAcknowledged(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            return new int[] {
                missing(s, "SELECT id FROM enrollment_tokens", tokens),
                missing(s, "SELECT id FROM devices", devices),
                missing(s, "SELECT username FROM users", users),
                Math.max(0, logins - count(s, "login.ok")),
                Math.max(0, tokens.size() - count(s, "enrollment.created")),
                Math.max(0, devices.size() - count(s, "device.enrolled"))};
        }
    }

    private static int count(Statement s, String event) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM audit_events WHERE event = '" + event + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int missing(Statement s, String sql, Set<String> acknowledged) throws Exception {
        Set<String> present = new HashSet<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                present.add(rs.getString(1));
            }
        }
        List<String> gone = new ArrayList<>(acknowledged);
        gone.removeAll(present);
        return gone.size();
    }
}
