package devicetunnel.relay.ssh;

import devicetunnel.protocol.Periodic;
import devicetunnel.protocol.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends sessions open longer than the maximum duration, busy or not. One sweep over all sessions a
 * few times per limit, rather than a timer per session. (Idle sessions are the
 * {@code IdleSessionReaper}'s job: idleness is about the operator's input.)
 */
final class SessionExpiry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionExpiry.class);

    private final Duration maxDuration;
    private final Supplier<Collection<TerminalSession>> sessions;
    private final ScheduledFuture<?> sweep;

    SessionExpiry(Duration maxDuration, Supplier<Collection<TerminalSession>> sessions, ScheduledExecutorService scheduler) {
        this.maxDuration = maxDuration;
        this.sessions = sessions;
        if (maxDuration == null || maxDuration.isZero() || maxDuration.isNegative()) {
            sweep = null;
        } else {
            long period = Math.max(50, Math.min(1_000, maxDuration.toMillis() / 4));
            sweep = Periodic.every(scheduler, "maximum session duration", Duration.ofMillis(period), this::sweep);
        }
    }

    private void sweep() {
        Instant now = Instant.now();
        for (TerminalSession s : sessions.get()) {
            try {
                if (Duration.between(s.startedAt(), now).compareTo(maxDuration) >= 0) {
                    log.info("session {} reached the maximum duration", s.id());
                    s.terminate(ErrorCode.SESSION_EXPIRED, "The session reached its maximum duration ("
                            + maxDuration.toString().substring(2).toLowerCase(java.util.Locale.ROOT) + ").");
                }
            } catch (RuntimeException e) {
                log.warn("maximum-duration check failed for {}: {}", s.id(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel(false);
        }
    }
}
