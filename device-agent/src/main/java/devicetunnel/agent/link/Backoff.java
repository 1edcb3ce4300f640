package devicetunnel.agent.link;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (AWS architecture blog): the delay is uniform in
 * [0, min(cap, base * 2^attempt)], so a fleet reconnecting after a relay restart spreads out
 * instead of stampeding. A link that stayed up for {@code stableAfter} resets the attempt count.
 */
public final class Backoff {
    private final long baseMillis;
    private final long capMillis;
    private final long stableAfterMillis;
    private final RandomGenerator random;
    private final LongSupplier clock;
    private int attempt;
    private long connectedAt = -1;

    public Backoff(Duration base, Duration cap, Duration stableAfter, RandomGenerator random, LongSupplier clock) {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap");
        }
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.stableAfterMillis = stableAfter.toMillis();
        this.random = random;
        this.clock = clock;
    }

    public synchronized void connected() {
        connectedAt = clock.getAsLong();
    }

    /** Delay before the next attempt; call once per failure or lost link. */
    public synchronized long nextDelayMillis() {
        if (connectedAt >= 0 && clock.getAsLong() - connectedAt >= stableAfterMillis) {
            attempt = 0;
        }
        connectedAt = -1;
        long ceiling = capMillis;
        if (attempt < 40) {
            ceiling = Math.min(capMillis, baseMillis << attempt);
        }
        attempt++;
        return random.nextLong(ceiling + 1);
    }

    public synchronized int attempt() {
        return attempt;
    }
}
