package devicetunnel.relay;

import devicetunnel.relay.support.TestConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.relay.cluster.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One check at start refuses, in words, a relay configuration that cannot work. */
@Timeout(30)
class RelayConfigTest {
    private final RelayConfig good = TestConfigs.relay(Path.of("/tmp/relay-config-test"));

    @Test
    void aBuilderCopyChangesOnlyWhatItIsTold() {
        RelayConfig changed = good.toBuilder().pingInterval(Duration.ofSeconds(7)).build();
        assertThat(changed.pingInterval()).isEqualTo(Duration.ofSeconds(7));
        assertThat(changed.toBuilder().pingInterval(good.pingInterval()).build()).isEqualTo(good);
        good.checkConfig();
    }

    @Test
    void settingsThatCannotWorkAreRefusedWithWhatToFix() {
        assertRefused(good.toBuilder().pingInterval(Duration.ZERO), "--ping-interval");
        assertRefused(good.toBuilder().tokenLifetime(Duration.ofSeconds(-1)), "--token-lifetime");
        assertRefused(good.toBuilder().listen("127.0.0.1", 70_000), "port");
        assertRefused(good.toBuilder().jwtSecret("short".getBytes()), "at least 32 bytes");
        assertRefused(good.toBuilder().listen("127.0.0.1", 9000).metrics(new RelayConfig.Metrics("127.0.0.1", 9000, null)),
                "--metrics-listen");
        assertRefused(good.toBuilder().maintenance(good.maintenance().withRecordings(null, Duration.ofDays(-1))),
                "--recording-retention");
        assertRefused(RelayConfig.builder(null), "--state-dir");
    }

    @Test
    void clusterModeOnTheEmbeddedStoreIsRefused() {
        ClusterConfig cluster = new ClusterConfig("nats://127.0.0.1:4222", "https://relay-a.example", "relay-a",
                "devtunnel", Duration.ofSeconds(15));
        assertRefused(good.toBuilder().cluster(cluster), "PostgreSQL");
    }

    private static void assertRefused(RelayConfig.Builder config, String says) {
        assertThatThrownBy(() -> config.build().checkConfig())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(says);
    }
}
