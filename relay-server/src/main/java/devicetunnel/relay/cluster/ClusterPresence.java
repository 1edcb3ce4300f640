package devicetunnel.relay.cluster;

import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.link.Presence;
import devicetunnel.relay.store.ClusterStore;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online anywhere in the cluster: a live link here, or a link row whose relay's lease is live.
 * A relay that cannot read the store still answers for its own links.
 */
final class ClusterPresence implements Presence {
    private static final Logger log = LoggerFactory.getLogger(ClusterPresence.class);

    private final DeviceRegistry local;
    private final ClusterStore store;
    private final LongSupplier clock;

    ClusterPresence(DeviceRegistry local, ClusterStore store, LongSupplier clock) {
        this.local = local;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public boolean isOnline(String deviceId) {
        if (local.isOnline(deviceId)) {
            return true;
        }
        try {
            return store.holder(deviceId, clock.getAsLong()).isPresent();
        } catch (RuntimeException e) {
            log.warn("cluster presence unreadable: {}", e.toString());
            return false;
        }
    }

    @Override
    public Predicate<String> snapshot() {
        Map<String, String> online;
        try {
            online = store.onlineDevices(clock.getAsLong());
        } catch (RuntimeException e) {
            log.warn("cluster presence unreadable: {}", e.toString());
            online = Map.of();
        }
        Map<String, String> view = online;
        return id -> local.isOnline(id) || view.containsKey(id);
    }
}
