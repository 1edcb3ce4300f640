package devicetunnel.relay.cluster;

import devicetunnel.relay.store.ClusterStore;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which relay holds a thing that lives in one relay's memory (a pending stream, a fleet run), told
 * by its id: ids minted in a cluster start with the minting relay's id ({@code relay-a.<rest>};
 * relay ids hold no dot). Only live leases are answered, so no id can make a relay dial an address
 * of its sender's choice.
 */
public final class RelayDirectory {
    private static final Logger log = LoggerFactory.getLogger(RelayDirectory.class);
    private static final char SEPARATOR = '.';

    private final ClusterStore store;
    private final String selfId;
    private final LongSupplier clock;

    RelayDirectory(ClusterStore store, String selfId, LongSupplier clock) {
        this.store = store;
        this.selfId = selfId;
        this.clock = clock;
    }

    public String selfId() {
        return selfId;
    }

    /** {@code local} made recognisable to every relay as this relay's. */
    public String mint(String local) {
        return selfId + SEPARATOR + local;
    }

    /**
     * The advertised URL of the live sibling that minted {@code id}; empty for this relay's own ids,
     * ids no relay minted, and relays without a live lease (or when the store cannot say).
     */
    public Optional<String> ownerUrl(String id) {
        int dot = id.indexOf(SEPARATOR);
        if (dot <= 0 || id.substring(0, dot).equals(selfId)) {
            return Optional.empty();
        }
        try {
            return store.liveUrlOf(id.substring(0, dot), clock.getAsLong());
        } catch (RuntimeException e) {
            log.warn("cluster presence unreadable: {}", e.toString());
            return Optional.empty();
        }
    }

    /** The other relays with a live lease. */
    public List<ClusterStore.LiveRelay> siblings() {
        return store.liveRelays(clock.getAsLong()).stream().filter(r -> !r.relayId().equals(selfId)).toList();
    }
}
