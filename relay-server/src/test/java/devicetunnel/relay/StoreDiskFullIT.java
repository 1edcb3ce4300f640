package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.SqliteFiles;
import devicetunnel.relay.store.StoreCheck;
import devicetunnel.relay.support.TestRelay;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21: the state directory on a small tmpfs that fills up. Writes fail with a clear 507, the
 * relay turns not-ready with the reason, nothing stored before is lost, and it recovers by itself
 * once space returns; and a read-only one refuses the start in words. Needs root (mount).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StoreDiskFullIT {
    private static final String CREATE = "{\"reusable\":true,\"autoAccept\":false}";

    @TempDir
    Path dir;
    Path mount;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = Files.createDirectories(dir.resolve("small-disk"));
        run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", "-l", mount.toString());
    }

    @Test
    void aFullDiskAnswers507NotReadyLosesNothingAndRecoversWhenSpaceReturns() throws Exception {
        try (TestRelay relay = new TestRelay(mount, c -> c.withMaintenance(
                c.maintenance().withHealthProbe(Duration.ofMillis(200))))) {
            String admin = relay.adminToken();
            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                acknowledged.add(id(relay.post("/api/v1/enrollments", admin, CREATE)));
            }
            Path filler = mount.resolve("filler");
            fill(filler);

            HttpResponse<String> refused = null;
            for (int i = 0; i < 500 && refused == null; i++) {
                HttpResponse<String> r = relay.post("/api/v1/enrollments", admin, CREATE);
                if (r.statusCode() == 201) {
                    acknowledged.add(id(r)); // space SQLite had already: still a real, kept write
                } else {
                    refused = r;
                }
            }
            assertThat(refused).as("a write failed once the disk was full").isNotNull();
            assertThat(refused.statusCode()).isEqualTo(507);
            assertThat(Json.MAPPER.readTree(refused.body()).get("error").asText()).isEqualTo("insufficient_storage");
            assertThat(refused.body()).contains("disk holding the relay's store is full").doesNotContain("SQLITE");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> ready = relay.get("/readyz", null);
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("full");
            });

            Files.delete(filler);
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.get("/readyz", null).statusCode() == 200);
            acknowledged.add(id(relay.post("/api/v1/enrollments", admin, CREATE)));

            String listed = relay.get("/api/v1/enrollments", admin).body();
            acknowledged.forEach(id -> assertThat(listed).contains(id));
        }
        assertThat(StoreCheck.integrity(SqliteFiles.db(mount.resolve("relay")))).isEmpty();
    }

    @Test
    void aReadOnlyStateDirectoryRefusesTheStartInWordsNotDriverText() throws Exception {
        Path state = mount.resolve("state");
        devicetunnel.relay.store.EmbeddedStore.open(state).close();
        run("mount", "-o", "remount,ro", mount.toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> devicetunnel.relay.store.EmbeddedStore.open(state))
                .hasMessageContaining("is not writable by this user");
    }

    private static String id(HttpResponse<String> created) throws IOException {
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return Json.MAPPER.readTree(created.body()).get("id").asText();
    }

    private static void fill(Path filler) {
        byte[] chunk = new byte[16 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // ENOSPC: the disk is full now
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }
}
