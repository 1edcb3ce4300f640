package devicetunnel.relay.policy;

import java.util.Map;

/**
 * A limit on attempts per key (an address, an account) per minute: this relay's token buckets
 * ({@link RateLimiter}) or, in a cluster, a count every relay shares.
 */
public interface Throttle {
    /**
     * Takes one attempt for {@code key} or throws {@link RateLimited} with the wait until the next
     * one; {@code onFirstRefusal} runs once per run of refusals (an audit record), never under a lock.
     */
    void acquire(String key, Runnable onFirstRefusal);

    /** Keys refused right now, with the seconds until each may try again. */
    Map<String, Long> refusing();

    /** Attempts this relay refused since it started, for the metrics. */
    long refusedTotal();

    /** Lets {@code key} try again at once (an admin lifted the limit); false when it was not limited. */
    boolean lift(String key);
}
