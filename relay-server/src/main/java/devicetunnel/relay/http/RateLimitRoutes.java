package devicetunnel.relay.http;

import devicetunnel.relay.policy.Throttle;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.store.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * For admins: {@code GET /api/v1/rate-limits} lists who is being refused right now (by address or
 * account, per limit) and for how long; {@code DELETE /api/v1/rate-limits/{limit}/{key}} lifts one
 * (an office behind one NAT that hit the per-address limit, say). Lifting is audited.
 */
public final class RateLimitRoutes {
    private final Map<String, Throttle> limits;
    private final AuditLog audit;

    /** One refused key: {@code limit} names the bucket table (e.g. {@code session-open-address}). */
    public record Refusing(String limit, String key, long retryAfterSeconds) {}

    /** @param limits the limiters by the names the API shows */
    public RateLimitRoutes(Map<String, ? extends Throttle> limits, AuditLog audit) {
        this.limits = Map.copyOf(limits);
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/rate-limits", this::list);
        routes.delete("/api/v1/rate-limits/{limit}/{key}", this::lift);
    }

    private void list(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        List<Refusing> refusing = new ArrayList<>();
        limits.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                e.getValue().refusing().forEach((key, seconds) -> refusing.add(new Refusing(e.getKey(), key, seconds))));
        ctx.json(refusing);
    }

    private void lift(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        Operator admin = OperatorAuth.current(ctx);
        Throttle limiter = limits.get(ctx.pathParam("limit"));
        if (limiter == null) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "No such limit; GET /api/v1/rate-limits lists them.");
        }
        String key = ctx.pathParam("key");
        if (!limiter.lift(key)) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "That key is not being limited.");
        }
        audit.record("ratelimit.lifted", admin.username(), null, null, ctx.ip(), ctx.pathParam("limit") + " " + key);
        ctx.status(204);
    }
}
