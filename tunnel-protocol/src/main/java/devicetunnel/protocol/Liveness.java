package devicetunnel.protocol;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When a peer was last heard from. Every keepalive in the product follows one rule: the peer is
 * pinged each interval, so a peer silent for two intervals is gone (half-open TCP, a NAT mapping
 * that died), and silence is checked four times per interval so it is noticed soon after. One
 * volatile, no lock: the reader thread marks, a scheduler thread checks.
 */
public final class Liveness {
    private final LongSupplier nanoClock;
    private volatile long lastHeardNanos;

    public Liveness() {
        this(System::nanoTime);
    }

    public Liveness(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastHeardNanos = nanoClock.getAsLong();
    }

    /** How long a peer pinged every {@code pingInterval} may stay silent before it counts as gone. */
    public static Duration silenceLimit(Duration pingInterval) {
        return pingInterval.multipliedBy(2);
    }

    /** How often to check for silence: four times per interval (at most every 10 ms). */
    public static Duration checkPeriod(Duration pingInterval) {
        return Duration.ofMillis(Math.max(10, pingInterval.toMillis() / 4));
    }

    /** Something (data, a ping, a pong) arrived from the peer. */
    public void heard() {
        lastHeardNanos = nanoClock.getAsLong();
    }

    public boolean silentLongerThan(Duration limit) {
        return nanoClock.getAsLong() - lastHeardNanos > limit.toNanos();
    }
}
