package devicetunnel.relay.ws;

import devicetunnel.protocol.Periodic;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.store.AuditLog;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.function.LongSupplier;

/**
 * Closes terminal sessions nobody has typed into for the idle timeout, so a shell left open on a
 * walked-away laptop does not stay reachable with the operator's rights. Input is what counts:
 * a command printing output for hours is not activity by the operator.
 */
public final class IdleSessionReaper implements AutoCloseable {
    private final TerminalSessions sessions;
    private final AuditLog audit;
    private final long idleNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Activity> seen = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> task;

    private record Activity(long bytesIn, long sinceNanos) {}

    public IdleSessionReaper(TerminalSessions sessions, AuditLog audit, Duration idleTimeout,
                             ScheduledExecutorService scheduler, LongSupplier nanoTime) {
        this.sessions = sessions;
        this.audit = audit;
        this.idleNanos = idleTimeout.toNanos();
        this.nanoTime = nanoTime;
        long period = Math.max(100, Math.min(idleTimeout.toMillis() / 4, 30_000));
        this.task = Periodic.every(scheduler, "idle sessions", Duration.ofMillis(period), this::sweep);
    }

    private void sweep() {
        long now = nanoTime.getAsLong();
        seen.keySet().retainAll(sessions.all().stream().map(TerminalSession::id).toList());
        for (TerminalSession session : sessions.all()) {
            long in = session.bytesIn();
            Activity last = seen.compute(session.id(), (id, a) ->
                    a == null || a.bytesIn() != in ? new Activity(in, now) : a);
            if (now - last.sinceNanos() >= idleNanos) {
                seen.remove(session.id());
                audit.record("session.idle_timeout", session.operator(), session.deviceId(), session.id(), null, null);
                session.terminate(ErrorCode.IDLE_TIMEOUT, "The session was closed after "
                        + Duration.ofNanos(idleNanos).toSeconds() + " s without input.");
            }
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
