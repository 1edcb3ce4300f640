package devicetunnel.relay.policy;

import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.store.AuditLog;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a browser terminal websocket passes before it is upgraded and a session is opened: an allowed
 * origin (403), the per-IP open rate (429; resumes have a bucket of their own, so a flaky network
 * resuming does not eat the budget for opening), valid credentials (401), then a free slot under the
 * per-device and per-operator caps (409; across relays in a cluster).
 */
public final class SessionGate {
    private final OperatorAuth auth;
    private final OriginPolicy origins;
    private final RateLimiter opens;
    private final RateLimiter resumes;
    private final SessionSlots limits;
    private final AuditLog audit;
    private final TerminalSessions sessions;
    private final RateLimiter operatorOpens;

    public SessionGate(OperatorAuth auth, OriginPolicy origins, RateLimiter opens, RateLimiter resumes,
                       RateLimiter operatorOpens, SessionSlots limits, AuditLog audit, TerminalSessions sessions) {
        this.resumes = resumes;
        this.operatorOpens = operatorOpens;
        this.auth = auth;
        this.origins = origins;
        this.opens = opens;
        this.limits = limits;
        this.audit = audit;
        this.sessions = sessions;
    }

    /** Checks before the upgrade; {@code opening} is false for resuming an existing session. */
    public Operator beforeUpgrade(Context ctx, boolean opening) {
        origins.check(ctx);
        if (opening) {
            opens.acquire(ctx.ip(), () -> audit.record("session.rate_limited", null, null, null, ctx.ip(), null));
        } else {
            resumes.acquire(ctx.ip(), () -> audit.record("session.rate_limited", null, null, null, ctx.ip(), "resume"));
        }
        Operator operator = auth.authenticate(ctx);
        if (opening) { // per operator too: many operators behind one NAT share an address
            try {
                operatorOpens.acquire(operator.username(), () -> audit.record("session.rate_limited", operator.username(),
                        null, null, ctx.ip(), "per operator"));
            } catch (RateLimited e) {
                throw new RateLimited(e.retryAfterSeconds(), "You opened too many sessions in the last minute; retry in "
                        + e.retryAfterSeconds() + " s (an admin can lift the limit).");
            }
        }
        return operator;
    }

    /** Takes a session slot, or throws a 409 that names who holds the slots (so a stale one can be ended). */
    public void acquire(String operator, String deviceId) {
        try {
            limits.acquire(operator, deviceId);
        } catch (TunnelException e) {
            if (e.code() != ErrorCode.CONFLICT) {
                throw e; // e.g. the shared store is down: nothing to say about holders
            }
            boolean deviceFull = e.getMessage().startsWith("This device");
            Predicate<TerminalSession> holds = deviceFull ? s -> s.deviceId().equals(deviceId) : s -> s.operator().equals(operator);
            throw new TunnelException(e.code(), e.getMessage() + holders(sessions.all().stream().filter(holds).toList()));
        }
    }

    /** " Held by: alice 5 min (detached), ..." for the terminal sessions among the holders. */
    static String holders(List<TerminalSession> terminals) {
        if (terminals.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(" Held by terminal sessions of:");
        String sep = " ";
        for (TerminalSession s : terminals) {
            Duration age = Duration.between(s.startedAt(), Instant.now());
            out.append(sep).append(s.operator()).append(" on ").append(s.deviceId()).append(", ")
                    .append(age.toMinutes() > 0 ? age.toMinutes() + " min" : age.toSeconds() + " s")
                    .append(s.hasViewer() ? " (attached)" : " (detached: ends by itself or from the console)");
            sep = "; ";
        }
        return out.append('.').toString();
    }

    public void release(String operator, String deviceId) {
        limits.release(operator, deviceId);
    }
}
