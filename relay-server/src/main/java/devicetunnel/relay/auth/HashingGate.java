package devicetunnel.relay.auth;

import devicetunnel.relay.policy.RateLimited;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Bounds how many Argon2 hashes run at once. Each takes 19 MiB and a core for tens of milliseconds;
 * with Jetty's hundreds of threads a login flood from many addresses (past the per-IP limits) could
 * otherwise exhaust the heap. Excess logins wait up to {@code maxWait} for a slot, then get a 429
 * with Retry-After: the client retries, nobody is guessed through.
 */
public final class HashingGate {
    private final Semaphore slots;
    private final Duration maxWait;

    public HashingGate(int concurrent, Duration maxWait) {
        if (concurrent < 1) {
            throw new IllegalArgumentException("at least one concurrent password hash is needed");
        }
        this.slots = new Semaphore(concurrent, true);
        this.maxWait = maxWait;
    }

    public boolean run(BooleanSupplier hashing) {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new RateLimited(1, "The relay is busy checking passwords; retry in a moment.");
        }
        try {
            return hashing.getAsBoolean();
        } finally {
            slots.release();
        }
    }

    public int available() {
        return slots.availablePermits();
    }
}
