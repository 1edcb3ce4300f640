package devicetunnel.relay.cluster;

import devicetunnel.relay.policy.RateLimited;
import devicetunnel.relay.policy.Throttle;
import devicetunnel.relay.store.RateHitStore;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A per-key limit every relay of the cluster counts together (e.g. logins per account), so
 * guesses spread over the relays behind a balancer meet one limit. Counted in PostgreSQL by
 * {@link RateHitStore}; the first refusal of a key per minute is reported once, cluster-wide.
 */
final class SharedThrottle implements Throttle {
    private final RateHitStore store;
    private final String name;
    private final int perMinute;
    private final LongSupplier clock;
    private final java.util.concurrent.atomic.LongAdder refusals = new java.util.concurrent.atomic.LongAdder();

    /** {@code perMinute} of 0 turns the limit off, as for a single relay. */
    SharedThrottle(RateHitStore store, String name, int perMinute, LongSupplier clock) {
        this.store = store;
        this.name = name;
        this.perMinute = perMinute;
        this.clock = clock;
    }

    @Override
    public void acquire(String key, Runnable onFirstRefusal) {
        if (perMinute <= 0) {
            return;
        }
        RateHitStore.Decision decision = store.hit(name, key, perMinute, clock.getAsLong());
        if (decision.allowed()) {
            return;
        }
        refusals.increment();
        if (decision.firstRefusal()) {
            onFirstRefusal.run();
        }
        throw new RateLimited(decision.retryAfterSeconds(),
                "Too many attempts; retry in " + decision.retryAfterSeconds() + " s.");
    }

    @Override
    public long refusedTotal() {
        return refusals.sum();
    }

    @Override
    public Map<String, Long> refusing() {
        return perMinute <= 0 ? Map.of() : store.refusing(name, perMinute, clock.getAsLong());
    }

    @Override
    public boolean lift(String key) {
        return store.lift(name, key);
    }
}
