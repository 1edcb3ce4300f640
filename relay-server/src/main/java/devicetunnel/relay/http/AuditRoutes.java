package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code GET /api/v1/audit?limit=N&event=E&deviceId=D}: the newest audit events, for admins. */
public final class AuditRoutes {
    private final AuditLog audit;

    public AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/audit", this::list);
    }

    private void list(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        int limit = limit(ctx.queryParam("limit"));
        String event = ctx.queryParam("event");
        if (event != null && !event.matches("[a-z][a-z._]{0,63}")) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'event' must be an event name such as login.failed.");
        }
        String deviceId = ctx.queryParam("deviceId");
        if (deviceId != null && !Protocol.isValidDeviceId(deviceId)) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'deviceId' is not a valid device id.");
        }
        ctx.json(audit.recent(limit, event, deviceId));
    }

    private static int limit(String value) {
        if (value == null) {
            return 100;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the 400
        }
        throw new TunnelException(ErrorCode.BAD_REQUEST, "'limit' must be an integer from 1 to 1000.");
    }
}
