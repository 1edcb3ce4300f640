package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TestRelay;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI's file transfer routes: uploads and downloads streamed through SFTP on the relay's own
 * SSH connection to the device (the device side is this machine, so its files are the test's files).
 */
@Timeout(180)
class FileTransferIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int SIZE = 64 * 1024 * 1024;

    @TempDir
    Path dir;
    TestRelay relay;
    String token;
    Path deviceDir;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir);
        relay.onlineDevice("dev-1");
        token = relay.adminToken();
        deviceDir = Files.createDirectories(dir.resolve("device-files"));
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void uploadsAndDownloads64MiBStreamed() throws Exception {
        Path target = deviceDir.resolve("upload.bin");
        // Halfway through, the body waits until bytes are on the device's disk: a relay that
        // buffered the whole upload before writing would never get there and the test would fail.
        // (Uploads land under a temporary name first and take the target's name when complete.)
        GatedBody body = new GatedBody(SIZE, SIZE / 2, () -> partial(target).map(p -> p.toFile().length() > 0).orElse(false));
        HttpResponse<String> uploaded = http.send(request(target).PUT(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        assertThat(body.gateOpened).isTrue();
        assertThat(Files.size(target)).isEqualTo(SIZE);
        assertThat(NativeSshIT.sha256(target)).isEqualTo(body.sha256());

        Path downloaded = dir.resolve("downloaded.bin");
        HttpResponse<Path> response = http.send(request(target).GET().build(), HttpResponse.BodyHandlers.ofFile(downloaded));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("attachment").contains("filename=\"upload.bin\""));
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
        assertThat(NativeSshIT.sha256(downloaded)).isEqualTo(body.sha256());
        assertThat(relay.server().audit().recent(20)).anyMatch(e -> e.event().equals("file.upload"))
                .anyMatch(e -> e.event().equals("file.download"));
    }

    @Test
    void cancelledUploadLeavesNothingBehind() throws Exception {
        Path target = deviceDir.resolve("cancelled.bin");
        cancelUpload(target);
        await().atMost(WAIT).until(() -> partial(target).isEmpty());
        assertThat(target).doesNotExist();
    }

    @Test
    void cancelledUploadKeepsTheFileThatWasThere() throws Exception {
        Path target = deviceDir.resolve("precious.conf");
        Files.writeString(target, "the original");
        cancelUpload(target);
        await().atMost(WAIT).until(() -> partial(target).isEmpty());
        assertThat(target).hasContent("the original");
        // ...and a complete upload replaces it.
        HttpResponse<String> replaced = http.send(request(target).PUT(HttpRequest.BodyPublishers.ofString("the new one")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(201);
        assertThat(target).hasContent("the new one");
        assertThat(partial(target)).isEmpty();
    }

    /** Starts an upload to {@code target}, waits until bytes reach the device, then drops the connection. */
    private void cancelUpload(Path target) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", relay.server().port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/v1/devices/dev-1/files?path=" + URLEncoder.encode(target.toString(), StandardCharsets.UTF_8)
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Length: " + SIZE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1024 * 1024]);
            out.flush();
            await().atMost(WAIT).until(() -> partial(target).isPresent());
        } // the browser gave up: connection closed mid-body
    }

    /** The temporary file an upload to {@code target} is being written to, if any. */
    private static java.util.Optional<Path> partial(Path target) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(target.getParent())) {
            return files.filter(p -> p.getFileName().toString().startsWith("." + target.getFileName() + ".devtunnel-"))
                    .findFirst();
        }
    }

    @Test
    void refusesWhatItMust() throws Exception {
        Path existing = deviceDir.resolve("here.txt");
        Files.writeString(existing, "here");
        assertThat(http.send(request("relative/path").GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
        assertThat(http.send(request(deviceDir.resolve("missing.txt")).GET().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(404);
        assertThat(http.send(HttpRequest.newBuilder(fileUri(existing.toString())).header("Authorization", "Bearer nope")
                .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);

        relay.addUser("viewer", "viewer's passphrase", User.Role.VIEWER, Map.of());
        String viewer = relay.login("viewer", "viewer's passphrase");
        assertThat(http.send(HttpRequest.newBuilder(fileUri(existing.toString())).header("Authorization", "Bearer " + viewer)
                .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);

        assertThat(relay.send("PATCH", "/api/v1/devices/dev-1/features", token, Map.of("sftp", false)).statusCode()).isEqualTo(200);
        HttpResponse<String> download = http.send(request(existing).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(download.statusCode()).isEqualTo(403);
        assertThat(download.body()).contains("switched off");
        assertThat(http.send(request(deviceDir.resolve("new.txt")).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        assertThat(deviceDir.resolve("new.txt")).doesNotExist();
    }

    @Test
    void transfersCountAgainstTheSessionCaps() throws Exception {
        relay.close();
        relay = new TestRelay(dir.resolve("capped"), c -> c.withHardening(c.hardening().withSessionCaps(1, 1)));
        relay.onlineDevice("dev-1");
        token = relay.adminToken();
        Path existing = Files.writeString(deviceDir.resolve("capped.txt"), "capped");
        assertThat(http.send(request(existing).GET().build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("capped");
        // The last byte can reach the client a moment before the transfer's SSH connection is closed.
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> relay.server().sessionLimits().heldOnDevice("dev-1") == 0);
        try (var term = relay.terminal("dev-1", token, 80, 24)) {
            term.awaitControl("session", WAIT);
            HttpResponse<String> refused = http.send(request(existing).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(409);
        }
    }

    private HttpRequest.Builder request(Path remote) {
        return request(remote.toString());
    }

    private HttpRequest.Builder request(String remote) {
        return HttpRequest.newBuilder(fileUri(remote)).header("Authorization", "Bearer " + token).timeout(WAIT);
    }

    private URI fileUri(String remote) {
        return URI.create(relay.baseUrl() + "/api/v1/devices/dev-1/files?path=" + URLEncoder.encode(remote, StandardCharsets.UTF_8));
    }

    /** Random bytes that stop at {@code gateAt} until {@code gate} holds, hashing what they hand out. */
    private static final class GatedBody extends InputStream {
        private final long size;
        private final long gateAt;
        private final java.util.concurrent.Callable<Boolean> gate;
        private final Random random = new Random(7);
        private final java.security.MessageDigest digest;
        private long position;
        private String hash;
        volatile boolean gateOpened;

        GatedBody(long size, long gateAt, java.util.concurrent.Callable<Boolean> gate) throws Exception {
            this.size = size;
            this.gateAt = gateAt;
            this.gate = gate;
            this.digest = java.security.MessageDigest.getInstance("SHA-256");
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= size) {
                return -1;
            }
            if (position == gateAt && !gateOpened) {
                await().atMost(WAIT).until(gate);
                gateOpened = true;
            }
            long limit = position < gateAt ? gateAt : size;
            int n = (int) Math.min(len, limit - position);
            byte[] chunk = new byte[n];
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, b, off, n);
            digest.update(chunk);
            position += n;
            return n;
        }

        /** The hash of everything handed out; call once the body was read to the end. */
        synchronized String sha256() {
            if (hash == null) {
                hash = java.util.HexFormat.of().formatHex(digest.digest());
            }
            return hash;
        }
    }
}
