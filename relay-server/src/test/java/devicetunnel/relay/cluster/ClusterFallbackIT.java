package devicetunnel.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.relay.support.ChildCluster;
import devicetunnel.relay.support.KeystrokeEcho;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TerminalClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device that can reach only the address it was given (here: relay B as "localhost", while the
 * relays advertise 127.0.0.1, and --stream-hosts names localhost alone) refuses relay A's URL for a
 * session opened on A; it opens the stream to B instead and B carries it to A. The session works,
 * as does one for a device on the same relay that goes to A directly (what the carried stream costs
 * is the bench's cluster-setup figure).
 */
@Timeout(240)
class ClusterFallbackIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ChildCluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aSessionOnASiblingWorksForADeviceThatCanReachOnlyItsOwnRelay() throws Exception {
        cluster = ChildCluster.create(dir, Duration.ofSeconds(3));
        RelayProcess a = cluster.relay("relay-a");
        RelayProcess b = cluster.relay("relay-b");
        cluster.agent(b.baseUrl().replace("127.0.0.1", "localhost"), "dev-lb", "--stream-hosts", "localhost");
        cluster.agent(b.baseUrl(), "dev-direct");
        String token = RelayProcess.adminToken(a.baseUrl());
        for (String device : List.of("dev-lb", "dev-direct")) {
            await().atMost(WAIT).until(() -> ChildCluster.online(a.baseUrl(), token, device));
        }

        // A terminal on A for each device: dev-lb's stream is carried by B, dev-direct's goes to A.
        // (Setup and echo on the carried path are measured by the bench's cluster-setup figure.)
        for (String device : List.of("dev-lb", "dev-direct")) {
            typeAndEcho(a.baseUrl(), token, device);
        }
        assertThat(Files.readString(cluster.agentLog("dev-lb"))).contains("opening it through the relay instead");
        assertThat(Files.readString(cluster.agentLog("dev-direct"))).doesNotContain("opening it through the relay instead");

        // Bulk bytes through the carried stream: frame-for-frame flow control both ways.
        byte[] content = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("on-device.bin"), content);
        HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(a.baseUrl()
                        + "/api/v1/devices/dev-lb/files?path=" + URLEncoder.encode(file.toString(), StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(sha256(download.body())).isEqualTo(sha256(content));
    }

    /** Opens a shell, sees a command's output and each of 10 keys echoed, then ends the shell. */
    private static void typeAndEcho(String relayUrl, String token, String device) throws Exception {
        try (TerminalClient term = TerminalClient.connect(ChildCluster.terminal(relayUrl, device), token)) {
            term.type("echo go-$((1+1))\r");
            term.awaitOutput(TerminalClient.hasLine("go-2"), WAIT);
            KeystrokeEcho.sortedMillis(term, 10, WAIT);
            term.type("exit\r"); // end the shell: a detached one would hold one of the device's session slots
            term.awaitClose(WAIT);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
