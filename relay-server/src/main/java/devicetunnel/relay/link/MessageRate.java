package devicetunnel.relay.link;

import java.util.function.LongSupplier;

/**
 * A token bucket for one connection's inbound messages: {@code perSecond} refill, a burst of twice
 * that. Touched only by the connection's own websocket thread (Jetty delivers one message at a
 * time per connection), so no lock.
 */
public final class MessageRate {
    private final double capacity;
    private final double refillPerNano;
    private final LongSupplier nanoTime;
    private double tokens;
    private long updatedNanos;

    public MessageRate(int perSecond, LongSupplier nanoTime) {
        this.capacity = 2.0 * perSecond;
        this.refillPerNano = perSecond / 1e9;
        this.nanoTime = nanoTime;
        this.tokens = capacity;
        this.updatedNanos = nanoTime.getAsLong();
    }

    public boolean tryTake() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(capacity, tokens + (now - updatedNanos) * refillPerNano);
        updatedNanos = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
