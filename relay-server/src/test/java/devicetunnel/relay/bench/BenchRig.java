package devicetunnel.relay.bench;

import devicetunnel.agent.Agent;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * A relay and one real agent (SSH server, PTY shells) in this JVM on loopback, plus the direct SSH
 * client that gives every figure its baseline.
 */
final class BenchRig implements AutoCloseable {
    static final String DEVICE = "bench-device";
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** The relay's SSH read window (RelayServer uses 1 MiB); the baseline client gets the same. */
    private static final long WINDOW_BYTES = 1024 * 1024;

    private final TestRelay relay;
    private final Agent agent;
    private final DirectSsh direct;
    private final String token;
    private final HttpClient http = HttpClient.newHttpClient();

    BenchRig(Path dir) throws Exception {
        // Production ping interval: the tests' 2 s would add keepalive traffic no deployment sees.
        // Hundreds of sessions from one address and one operator: lift the hardening caps and rates,
        // which are not what the benchmark measures.
        relay = new TestRelay(dir, config -> config.withPingInterval(Duration.ofSeconds(25))
                .withHardening(config.hardening().withSessionCaps(100_000, 100_000).withRates(1_000_000, 1_000_000)));
        agent = relay.onlineDevice(DEVICE);
        token = relay.adminToken();
        PublicKey hostKey = AuthorizedKeyEntry.parseAuthorizedKeyEntry(agent.hostPublicKey())
                .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        direct = new DirectSsh(KeyFiles.loadOrCreate(dir.resolve("relay").resolve("relay_ed25519")), hostKey,
                agent.sshPort(), WINDOW_BYTES);
    }

    RelayTerminal relayTerminal(int cols, int rows) throws Exception {
        return relayTerminal(http, cols, rows);
    }

    RelayTerminal relayTerminal(HttpClient client, int cols, int rows) throws Exception {
        URI uri = relay.ws("/api/v1/devices/" + DEVICE + "/terminal?cols=" + cols + "&rows=" + rows);
        return RelayTerminal.open(client, uri, token);
    }

    /** The test suite's terminal client: it can stop acknowledging, as a stalled browser does. */
    devicetunnel.relay.support.TerminalClient stallableTerminal() throws Exception {
        return relay.terminal(DEVICE, token, 80, 24);
    }

    /** The relay's view of a terminal session: its buffers and the bytes it has read from the device. */
    devicetunnel.relay.ssh.TerminalSession session(String id) {
        return relay.server().sessions().find(id).orElseThrow();
    }

    /** A request to the device's file route (SFTP underneath) for {@code remotePath}. */
    java.net.http.HttpRequest.Builder fileRequest(Path remotePath) {
        return java.net.http.HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/api/v1/devices/" + DEVICE + "/files?path="
                + java.net.URLEncoder.encode(remotePath.toString(), java.nio.charset.StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(5));
    }

    HttpClient http() {
        return http;
    }

    DirectTerminal directTerminal(int cols, int rows) throws Exception {
        return DirectTerminal.open(direct, cols, rows, TIMEOUT);
    }

    /** An SSH session to the device through the relay's device stream (what terminals use underneath). */
    ClientSession relaySsh() {
        Device device = relay.server().devices().find(DEVICE).orElseThrow();
        var connection = relay.server().sshConnector().connect("bench", device, TIMEOUT);
        ClientSession ssh = connection.session();
        ssh.addCloseFutureListener(closed -> connection.close());
        return ssh;
    }

    ClientSession directSsh() throws Exception {
        return direct.connect(TIMEOUT);
    }

    /** Switches the bench device's recording policy (from the next session on). */
    void setRecording(String policy) throws Exception {
        var r = relay.send("PATCH", "/api/v1/devices/" + DEVICE + "/features", token, java.util.Map.of("recording", policy));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("cannot set recording " + policy + ": " + r.body());
        }
    }

    /** The id of the newest recording once it is complete (the listing is newest first). */
    String lastRecordingId() {
        return org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> {
            var newest = devicetunnel.relay.http.Json.MAPPER.readTree(relay.get("/api/v1/recordings?limit=1", token).body()).get(0);
            return newest.get("endedAt").isNull() ? null : newest.get("id").asText();
        }, java.util.Objects::nonNull);
    }

    /** Where the relay writes recordings (the default, under its state directory). */
    Path recordingsDir() {
        return relay.dir();
    }

    int liveSessions() {
        return relay.server().sessions().all().size();
    }

    @Override
    public void close() throws Exception {
        direct.close();
        relay.close();
    }
}
