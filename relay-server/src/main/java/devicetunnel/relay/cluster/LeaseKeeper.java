package devicetunnel.relay.cluster;

import devicetunnel.relay.store.ClusterStore;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This relay's heartbeat in the shared store: one row, its lease renewed every third of the lease
 * period, so a relay killed without a word stops vouching for its devices within one period. This
 * is the only periodic write of cluster presence: it grows with relays, not with devices.
 */
final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final ClusterStore store;
    private final String relayId;
    private final Duration period;
    private final LongSupplier clock;
    private final String secretsId;
    private volatile String advertiseUrl;
    private volatile ScheduledFuture<?> renewal;
    private volatile long leaseUntil;

    LeaseKeeper(ClusterStore store, String relayId, String secretsId, Duration period, LongSupplier clock) {
        this.store = store;
        this.secretsId = secretsId;
        this.relayId = relayId;
        this.period = period;
        this.clock = clock;
    }

    /** Takes the lease (dropping link rows a previous run of this relay id left) and keeps renewing it. */
    void start(String url, ScheduledExecutorService scheduler) {
        // A live lease under our id at another URL is another relay (a copied state dir), not our
        // own previous run: taking the id would wipe its link rows. Same URL: our restart after a crash.
        store.liveUrlOf(relayId, clock.getAsLong()).filter(other -> !other.equals(url)).ifPresent(other -> {
            throw new IllegalStateException("relay id " + relayId + " is in use by a live relay at " + other
                    + ": give each relay its own --relay-id (do not copy the state dir's relay-id file)");
        });
        this.advertiseUrl = url;
        int stale = store.clearLinks(relayId);
        if (stale > 0) {
            log.info("cleared {} device link(s) left by a previous run of relay {}", stale, relayId);
        }
        long now = clock.getAsLong();
        store.registerRelay(relayId, url, secretsId, now + period.toMillis(), now);
        leaseUntil = now + period.toMillis();
        long every = Math.max(100, period.toMillis() / 3);
        renewal = scheduler.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
        log.info("cluster: relay {} advertises {} (lease {} ms)", relayId, url, period.toMillis());
    }

    private void renew() {
        try {
            long now = clock.getAsLong();
            if (!store.renewLease(relayId, now + period.toMillis())) {
                log.warn("cluster: relay row {} was gone; registering again", relayId);
                store.registerRelay(relayId, advertiseUrl, secretsId, now + period.toMillis(), now);
            }
            leaseUntil = now + period.toMillis();
        } catch (RuntimeException e) {
            // Siblings will treat this relay's devices as offline once the lease runs out; local service goes on.
            log.warn("cluster: lease renewal failed: {}", e.toString());
        }
    }

    /** Whether siblings still count this relay as alive (its last renewal has not run out). */
    boolean held() {
        return clock.getAsLong() < leaseUntil;
    }

    /** A clean stop gives up the lease and this relay's link rows at once. */
    @Override
    public void close() {
        ScheduledFuture<?> r = renewal;
        if (r == null) {
            return;
        }
        r.cancel(false);
        try {
            store.removeRelay(relayId);
        } catch (RuntimeException e) {
            log.warn("cluster: could not give up the lease: {}", e.toString());
        }
    }
}
