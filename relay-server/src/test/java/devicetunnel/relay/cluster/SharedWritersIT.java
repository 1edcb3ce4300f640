package devicetunnel.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.link.DeviceLink;
import devicetunnel.relay.store.ClusterStore;
import devicetunnel.relay.store.ProofIdStore;
import devicetunnel.relay.support.ClusterSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The group-committing writers of a cluster relay on real PostgreSQL: proof ids queued by many
 * connecting threads at once keep their replay answer (one first use per id, across relays), and
 * link ups and downs written in batches leave exactly the rows of the links still up.
 */
@Timeout(60)
class SharedWritersIT {
    @RegisterExtension
    final ClusterSchema pg = new ClusterSchema();

    @Test
    void concurrentProofsOnTwoRelaysPassOncePerIdAndReplaysAreRefused() throws Exception {
        ProofIdStore store = new ProofIdStore(pg.database().dataSource());
        Instant keep = Instant.now().plusSeconds(60);
        ExecutorService connecting = Executors.newFixedThreadPool(32);
        try (SharedProofIds relayA = new SharedProofIds(store); SharedProofIds relayB = new SharedProofIds(store)) {
            List<Future<Boolean>> answers = new ArrayList<>();
            // 400 distinct proofs, each presented twice: once to each relay, all at the same time.
            for (int i = 0; i < 400; i++) {
                String jti = "jti-" + i;
                String device = "dev-" + (i % 50);
                answers.add(connecting.submit((Callable<Boolean>) () -> relayA.firstUse(device, jti, keep)));
                answers.add(connecting.submit((Callable<Boolean>) () -> relayB.firstUse(device, jti, keep)));
            }
            int passed = 0;
            for (int i = 0; i < answers.size(); i += 2) {
                boolean a = answers.get(i).get();
                boolean b = answers.get(i + 1).get();
                assertThat(a ^ b).as("proof %d passes on exactly one relay", i / 2).isTrue();
                passed++;
            }
            assertThat(passed).isEqualTo(400);
            assertThat(relayA.firstUse("dev-1", "jti-1", keep)).isFalse();
            assertThat(relayB.firstUse("dev-1", "jti-fresh", keep)).isTrue();
            assertThat(relayA.firstUse("dev-2", "jti-fresh", keep)).as("ids are per device").isTrue();
        } finally {
            connecting.shutdownNow();
        }
    }

    @Test
    void queuedLinkChangesLeaveTheRowsOfTheLinksStillUp() {
        ClusterStore store = new ClusterStore(pg.database().dataSource());
        store.registerRelay("a", "http://a", "s", Long.MAX_VALUE, 0);
        DeviceLink first = new DeviceLink("dev-1", null, "peer");
        DeviceLink second = new DeviceLink("dev-1", null, "peer");
        try (PresenceWriter writer = new PresenceWriter(store, "a")) {
            for (int i = 0; i < 300; i++) {
                DeviceLink link = new DeviceLink("dev-bulk-" + i, null, "peer");
                writer.linkUp(link);
                if (i % 3 == 0) {
                    writer.linkDown(link);
                }
            }
            writer.linkUp(first);
            writer.linkUp(second); // a reconnect: the old link's late down must not remove the new row
            writer.linkDown(first);
        } // close lets the queue drain
        var online = store.onlineDevices(1);
        assertThat(online).containsKey("dev-1");
        assertThat(online.keySet().stream().filter(id -> id.startsWith("dev-bulk-"))).hasSize(200);
        assertThat(online).doesNotContainKey("dev-bulk-0").containsKey("dev-bulk-1");
    }
}
