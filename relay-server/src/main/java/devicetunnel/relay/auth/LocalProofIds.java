package devicetunnel.relay.auth;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Proof ids a single relay has seen, forgotten once they expire: memory grows with the connect rate only. */
public final class LocalProofIds implements ProofIds {
    private final Clock clock;
    private final Map<String, Instant> seen = new ConcurrentHashMap<>();
    private final AtomicLong nextSweepMillis = new AtomicLong();

    public LocalProofIds(Clock clock) {
        this.clock = clock;
    }

    @Override
    public boolean firstUse(String deviceId, String jti, Instant keepUntil) {
        forgetExpired();
        return seen.putIfAbsent(deviceId + "/" + jti, keepUntil) == null;
    }

    /** At most one sweep every few seconds, so a reconnect storm does not turn into quadratic work. */
    private void forgetExpired() {
        Instant now = clock.instant();
        long due = nextSweepMillis.get();
        if (now.toEpochMilli() >= due && nextSweepMillis.compareAndSet(due, now.toEpochMilli() + 5_000)) {
            seen.values().removeIf(until -> until.isBefore(now));
        }
    }
}
