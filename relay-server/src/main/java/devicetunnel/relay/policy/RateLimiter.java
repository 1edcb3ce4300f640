package devicetunnel.relay.policy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client IP: {@code perMinute} attempts refill evenly over a minute, with a burst
 * of the same size. Enough to stop password guessing and session-open floods without a library.
 * Full buckets are forgotten when the table grows, so a scan from many addresses cannot fill memory.
 */
public final class RateLimiter implements Throttle {
    private static final int SWEEP_THRESHOLD = 10_000;

    private final double capacity;
    private final double refillPerNano;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder refusals = new java.util.concurrent.atomic.LongAdder();

    private static final class Bucket {
        double tokens;
        long updatedNanos;
        boolean refusing;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }
    }

    /** {@code perMinute} of 0 turns the limit off. */
    public RateLimiter(int perMinute, LongSupplier nanoTime) {
        this.capacity = perMinute;
        this.refillPerNano = perMinute / 60e9;
        this.nanoTime = nanoTime;
    }

    /** Takes one attempt for {@code ip} (any key: an address, an account) or throws {@link RateLimited} with the wait until the next one. */
    public void acquire(String ip) {
        acquire(ip, () -> { });
    }

    /**
     * Like {@link #acquire(String)}; {@code onFirstRefusal} runs once per run of refusals, so a flood
     * leaves one audit record, not one per request.
     */
    @Override
    public void acquire(String ip, Runnable onFirstRefusal) {
        if (capacity <= 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (buckets.size() > SWEEP_THRESHOLD) {
            buckets.values().removeIf(b -> refilled(b, now) >= capacity);
        }
        Bucket bucket = buckets.computeIfAbsent(ip == null ? "?" : ip, k -> new Bucket(capacity, now));
        boolean firstRefusal;
        double waitNanos;
        synchronized (bucket) {
            bucket.tokens = refilled(bucket, now);
            bucket.updatedNanos = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                bucket.refusing = false;
                return;
            }
            firstRefusal = !bucket.refusing;
            bucket.refusing = true;
            waitNanos = (1 - bucket.tokens) / refillPerNano;
        }
        refusals.increment();
        if (firstRefusal) {
            onFirstRefusal.run(); // an audit write: never under the bucket's lock
        }
        throw new RateLimited(Math.max(1, (long) Math.ceil(waitNanos / 1e9)));
    }

    @Override
    public long refusedTotal() {
        return refusals.sum();
    }

    /** Keys refused right now, with the seconds until each may try again. */
    @Override
    public Map<String, Long> refusing() {
        long now = nanoTime.getAsLong();
        Map<String, Long> out = new java.util.TreeMap<>();
        buckets.forEach((key, b) -> {
            double tokens = refilled(b, now);
            if (tokens < 1) {
                out.put(key, Math.max(1, (long) Math.ceil((1 - tokens) / refillPerNano / 1e9)));
            }
        });
        return out;
    }

    /** Gives {@code key} a full bucket again (an admin lifted the limit); false when it was not limited. */
    @Override
    public boolean lift(String key) {
        return buckets.remove(key) != null;
    }

    private double refilled(Bucket b, long now) {
        synchronized (b) {
            return Math.min(capacity, b.tokens + (now - b.updatedNanos) * refillPerNano);
        }
    }
}
