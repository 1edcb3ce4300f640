package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.recording.RecordingLink;
import devicetunnel.relay.store.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;

/**
 * {@code GET /api/v1/audit?limit=&event=&deviceId=&operator=&from=&to=&before=}: audit events for
 * admins, newest first. {@code before} is the id of the oldest event of the previous page.
 */
public final class AuditRoutes {
    private final AuditLog audit;

    /** An audit event as the API shows it; {@code recordingId} links an event about a recorded session to its recording. */
    public record AuditEntryView(long id, Instant at, String event, String actor, String deviceId, String sessionId,
                                 String remoteIp, String detail, String recordingId) {
        static AuditEntryView of(AuditLog.Event e) {
            return new AuditEntryView(e.id(), e.at(), e.event(), e.actor(), e.deviceId(), e.sessionId(), e.remoteIp(),
                    e.detail(), RecordingLink.idIn(e.detail()));
        }
    }

    public AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/audit", this::list);
    }

    private void list(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        String event = ctx.queryParam("event");
        if (event != null && !event.matches("[a-z][a-z._]{0,63}")) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'event' must be an event name such as login.failed.");
        }
        String deviceId = ctx.queryParam("deviceId");
        if (deviceId != null && !Protocol.isValidDeviceId(deviceId)) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'deviceId' is not a valid device id.");
        }
        String operator = ctx.queryParam("operator");
        if (operator != null && (operator.isEmpty() || operator.length() > 64)) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'operator' must be a user name of 1 to 64 characters.");
        }
        ctx.json(audit.find(new AuditLog.Filter(event, deviceId, operator, QueryParams.instant(ctx, "from"), QueryParams.instant(ctx, "to"),
                before(ctx.queryParam("before")), limit(ctx.queryParam("limit")))).stream().map(AuditEntryView::of).toList());
    }

    private static Long before(String value) {
        if (value == null) {
            return null;
        }
        try {
            long id = Long.parseLong(value);
            if (id >= 1) {
                return id;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new TunnelException(ErrorCode.BAD_REQUEST, "'before' must be the id of an audit event.");
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
