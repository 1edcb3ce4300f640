package devicetunnel.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.relay.store.ClusterStore;
import devicetunnel.relay.support.ClusterSchema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shared presence rules on real PostgreSQL: leases decide, and a late "down" never removes a newer link. */
@Timeout(60)
class ClusterStoreIT {
    @RegisterExtension
    final ClusterSchema pg = new ClusterSchema();
    private ClusterStore store;

    @BeforeEach
    void open() {
        store = new ClusterStore(pg.database().dataSource());
    }

    @Test
    void aDeviceIsOnlineWhileItsRelaysLeaseIsLive() {
        store.registerRelay("b", "http://b", "s", 2_000, 0);
        store.linkUp("dev-1", "b", 10);
        assertThat(store.holder("dev-1", 1_999)).contains(new ClusterStore.LiveRelay("b", "http://b"));
        assertThat(store.onlineDevices(1_999)).containsEntry("dev-1", "b");
        assertThat(store.holder("dev-1", 2_000)).isEmpty();
        assertThat(store.onlineDevices(2_000)).isEmpty();
        assertThat(store.renewLease("b", 5_000)).isTrue();
        assertThat(store.holder("dev-1", 2_000)).isPresent();
    }

    @Test
    void aLateDownOfTheOldLinkLeavesTheNewerLinkOnAnotherRelay() {
        store.registerRelay("b", "http://b", "s", 10_000, 0);
        store.registerRelay("c", "http://c", "s", 10_000, 0);
        long old = store.linkUp("dev-1", "b", 1);
        long newer = store.linkUp("dev-1", "c", 2);
        assertThat(newer).isGreaterThan(old);
        store.linkDown("dev-1", "b", old);
        assertThat(store.holder("dev-1", 5)).map(ClusterStore.LiveRelay::relayId).contains("c");
        store.linkDown("dev-1", "c", old); // a stale generation on the right relay changes nothing either
        assertThat(store.holder("dev-1", 5)).isPresent();
        store.linkDown("dev-1", "c", newer);
        assertThat(store.holder("dev-1", 5)).isEmpty();
    }

    @Test
    void aRestartedRelayForgetsItsOldLinksAndACleanStopGivesEverythingUp() {
        store.registerRelay("b", "http://b", "s", 10_000, 0);
        store.linkUp("dev-1", "b", 1);
        store.linkUp("dev-2", "b", 1);
        assertThat(store.clearLinks("b")).isEqualTo(2);
        store.linkUp("dev-3", "b", 1);
        store.removeRelay("b");
        assertThat(store.onlineDevices(5)).isEmpty();
        assertThat(store.liveRelays(5)).isEmpty();
    }

    @Test
    void aBatchOfLinkChangesLandsInOrderInOneTransactionOrNotAtAll() {
        store.registerRelay("b", "http://b", "s", 10_000, 0);
        store.writeLinks("b", rows -> {
            long first = rows.up("dev-1", 1);
            rows.up("dev-2", 1);
            rows.down("dev-1", first); // up then down in one batch: the row is gone
            rows.up("dev-3", 2);
        });
        assertThat(store.onlineDevices(5)).containsOnlyKeys("dev-2", "dev-3");

        assertThatThrownBy(() -> store.writeLinks("b", rows -> {
            rows.up("dev-4", 3);
            throw new java.sql.SQLException("fails half way");
        })).isInstanceOf(RuntimeException.class);
        assertThat(store.onlineDevices(5)).containsOnlyKeys("dev-2", "dev-3");
    }

    @Test
    void migratingTwiceIsANoOp() {
        pg.database().migrateCluster();
        assertThat(store.liveRelays(0)).isEmpty();
    }
}
