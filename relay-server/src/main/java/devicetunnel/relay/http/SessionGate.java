package devicetunnel.relay.http;

import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.store.AuditLog;
import io.javalin.http.Context;

/**
 * What a browser terminal websocket passes before it is upgraded and a session is opened: an allowed
 * origin (403), the per-IP open rate (429; resumes have a bucket of their own, so a flaky network
 * resuming does not eat the budget for opening), valid credentials (401), then a free slot under the
 * per-device and per-operator caps (409).
 */
public final class SessionGate {
    private final OperatorAuth auth;
    private final OriginPolicy origins;
    private final RateLimiter opens;
    private final RateLimiter resumes;
    private final SessionLimits limits;
    private final AuditLog audit;

    public SessionGate(OperatorAuth auth, OriginPolicy origins, RateLimiter opens, RateLimiter resumes,
                       SessionLimits limits, AuditLog audit) {
        this.resumes = resumes;
        this.auth = auth;
        this.origins = origins;
        this.opens = opens;
        this.limits = limits;
        this.audit = audit;
    }

    /** Checks before the upgrade; {@code opening} is false for resuming an existing session. */
    public Operator beforeUpgrade(Context ctx, boolean opening) {
        origins.check(ctx);
        if (opening) {
            opens.acquire(ctx.ip(), () -> audit.record("session.rate_limited", null, null, null, ctx.ip(), null));
        } else {
            resumes.acquire(ctx.ip(), () -> audit.record("session.rate_limited", null, null, null, ctx.ip(), "resume"));
        }
        return auth.authenticate(ctx);
    }

    public void acquire(String operator, String deviceId) {
        limits.acquire(operator, deviceId);
    }

    public void release(String operator, String deviceId) {
        limits.release(operator, deviceId);
    }
}
