package devicetunnel.relay.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Removes audit events older than the retention, and records that it did: the audit log is never
 * thinned silently. A zero retention keeps everything (the default).
 */
public final class AuditRetention {
    public static final String PRUNED_EVENT = "audit.pruned";
    private final AuditLog audit;
    private final Duration retention;
    private final Clock clock;

    public AuditRetention(AuditLog audit, Duration retention, Clock clock) {
        this.audit = audit;
        this.retention = retention;
        this.clock = clock;
    }

    public boolean enabled() {
        return !retention.isZero();
    }

    /** Returns how many events were removed. */
    public int prune() {
        if (!enabled()) {
            return 0;
        }
        Instant cutoff = clock.instant().minus(retention);
        int removed = audit.deleteOlderThan(cutoff);
        if (removed > 0) {
            audit.record(PRUNED_EVENT, "relay", null, null, null,
                    "removed " + removed + " events before " + cutoff + " (retention " + readable(retention) + ")");
        }
        return removed;
    }

    /** As the flag was given ({@code 365d}), not ISO's {@code PT8760H}. */
    private static String readable(Duration d) {
        return d.toSeconds() % 86_400 == 0 ? d.toDays() + "d" : d.toString();
    }
}
