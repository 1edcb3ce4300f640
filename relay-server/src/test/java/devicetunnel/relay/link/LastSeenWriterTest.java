package devicetunnel.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.store.EmbeddedStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class LastSeenWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesTheLatestTimePerDeviceInOneFlushAndWhatIsPendingAtClose() {
        try (Database db = EmbeddedStore.open(dir)) {
            DeviceStore devices = new DeviceStore(db.dataSource());
            for (String id : new String[] {"dev-1", "dev-2"}) {
                devices.add(new Device(id, id, Map.of(), "ssh-ed25519 AAAA", Device.Status.ACCEPTED, null), "enr-1");
            }
            Instant earlier = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Instant later = earlier.plusSeconds(5);
            LastSeenWriter writer = new LastSeenWriter(devices);
            writer.seen("dev-1", later);
            writer.seen("dev-1", earlier); // a late report of an older event must not move the time back
            writer.seen("dev-2", earlier);
            writer.flush();
            assertThat(devices.find("dev-1").orElseThrow().lastSeen()).isEqualTo(later);
            assertThat(devices.find("dev-2").orElseThrow().lastSeen()).isEqualTo(earlier);

            writer.seen("dev-2", later);
            writer.close();
            assertThat(devices.find("dev-2").orElseThrow().lastSeen()).isEqualTo(later);
        }
    }
}
