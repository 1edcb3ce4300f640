package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends sessions that stayed idle (no input, no output) or open for longer than allowed. One sweep
 * over all sessions a few times per limit, rather than a timer per session re-armed on every byte.
 */
final class SessionLimits implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionLimits.class);

    private final Duration idleTimeout;
    private final Duration maxDuration;
    private final Supplier<Collection<TerminalSession>> sessions;
    private final ScheduledFuture<?> sweep;

    SessionLimits(Duration idleTimeout, Duration maxDuration, Supplier<Collection<TerminalSession>> sessions,
                  ScheduledExecutorService scheduler) {
        this.idleTimeout = positiveOrNull(idleTimeout);
        this.maxDuration = positiveOrNull(maxDuration);
        this.sessions = sessions;
        Duration shortest = shortest(this.idleTimeout, this.maxDuration);
        if (shortest == null) {
            sweep = null;
        } else {
            long period = Math.max(50, Math.min(1_000, shortest.toMillis() / 4));
            sweep = scheduler.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        Instant now = Instant.now();
        for (TerminalSession s : sessions.get()) {
            try {
                if (maxDuration != null && Duration.between(s.startedAt(), now).compareTo(maxDuration) >= 0) {
                    log.info("session {} reached the maximum duration", s.id());
                    s.terminate(ErrorCode.SESSION_EXPIRED, "The session reached its maximum duration ("
                            + describe(maxDuration) + ").", ErrorCode.SESSION_EXPIRED.closeCode());
                } else if (idleTimeout != null && s.idleFor().compareTo(idleTimeout) >= 0) {
                    log.info("session {} idle for too long", s.id());
                    s.terminate(ErrorCode.SESSION_EXPIRED, "The session was idle for " + describe(idleTimeout)
                            + " and has been closed.", ErrorCode.SESSION_EXPIRED.closeCode());
                }
            } catch (RuntimeException e) {
                log.warn("session limits check failed for {}: {}", s.id(), e.toString());
            }
        }
    }

    private static String describe(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    private static Duration positiveOrNull(Duration d) {
        return d == null || d.isZero() || d.isNegative() ? null : d;
    }

    private static Duration shortest(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel(false);
        }
    }
}
