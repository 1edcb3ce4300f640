package devicetunnel.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RefusalLogTest {
    @TempDir
    Path dir;

    @Test
    void repeatedRefusalsBecomeOneRowPerDeviceAndReasonPerInterval() {
        try (Database db = devicetunnel.relay.store.EmbeddedStore.open(dir)) {
            AuditLog audit = new AuditLog(db.dataSource());
            AtomicLong now = new AtomicLong();
            RefusalLog refusals = new RefusalLog(audit, Duration.ofSeconds(60), null, now::get);
            for (int i = 0; i < 500; i++) {
                refusals.refused("device.auth.failed", "dev-1", "10.0.0.1", "replayed device proof");
            }
            refusals.refused("device.auth.failed", "dev-1", "10.0.0.1", "expired device proof");
            refusals.refused("device.auth.failed", "dev-2", "10.0.0.2", "replayed device proof");
            assertThat(audit.recent(1000, "device.auth.failed", null)).hasSize(3);

            refusals.flush(); // the interval has not passed: nothing yet
            assertThat(audit.recent(1000, "device.auth.failed", null)).hasSize(3);
            now.addAndGet(Duration.ofSeconds(61).toNanos());
            refusals.flush();
            assertThat(audit.recent(1000, "device.auth.failed", "dev-1")).extracting(AuditLog.Event::detail)
                    .containsExactlyInAnyOrder("replayed device proof", "expired device proof",
                            "replayed device proof (repeated 499 times)");
            assertThat(audit.recent(1000, "device.auth.failed", "dev-2")).hasSize(1);

            // A scan of many ids cannot grow the table past its cap.
            for (int i = 0; i < RefusalLog.MAX_KEYS * 3; i++) {
                refusals.refused("device.connect.refused", "dev-x" + i, "10.0.0.3", "device is revoked");
            }
            assertThat(audit.recent(1000, "device.connect.refused", null).size()).isLessThanOrEqualTo(RefusalLog.MAX_KEYS);
        }
    }
}
