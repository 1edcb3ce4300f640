package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.recording.Recordings;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.RecordingStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code GET /api/v1/recordings[?deviceId=&operator=&from=&to=&limit=]}: recorded terminal sessions,
 * newest first (an admin sees all, anyone else their own); {@code GET /api/v1/recordings/{id}/cast}:
 * the asciicast v2 file, streamed (viewing is audited).
 */
public final class RecordingRoutes {
    static final String CAST_TYPE = "application/x-asciicast";
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final Recordings recordings;
    private final AuditLog audit;

    /** A recording as the API lists it; {@code endedAt} is null while the session runs. */
    public record RecordingView(String id, String sessionId, String deviceId, String operator, Instant startedAt,
                                Instant endedAt, long bytes) {
        static RecordingView of(RecordingStore.Entry e) {
            return new RecordingView(e.id(), e.sessionId(), e.deviceId(), e.operator(), e.startedAt(), e.endedAt(), e.bytes());
        }
    }

    public RecordingRoutes(Recordings recordings, AuditLog audit) {
        this.recordings = recordings;
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/recordings", this::list);
        routes.get("/api/v1/recordings/{id}/cast", this::cast);
    }

    private void list(Context ctx) {
        Operator me = OperatorAuth.current(ctx);
        String deviceId = ctx.queryParam("deviceId");
        if (deviceId != null && !Protocol.isValidDeviceId(deviceId)) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'deviceId' is not a valid device id.");
        }
        String operator = ctx.queryParam("operator");
        if (!me.isAdmin()) {
            if (operator != null && !operator.equals(me.username())) {
                throw new TunnelException(ErrorCode.FORBIDDEN, "Only admins see other operators' recordings.");
            }
            operator = me.username();
        }
        RecordingStore.Filter filter = new RecordingStore.Filter(deviceId, operator, instant(ctx, "from"),
                instant(ctx, "to"), limit(ctx));
        ctx.json(recordings.list(filter).stream().map(RecordingView::of).toList());
    }

    private void cast(Context ctx) throws IOException {
        Operator me = OperatorAuth.current(ctx);
        RecordingStore.Entry entry = recordings.find(ctx.pathParam("id"))
                .filter(e -> me.isAdmin() || e.operator().equals(me.username())) // not yours: 404, not 403
                .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such recording."));
        audit.record("recording.viewed", me.username(), entry.deviceId(), entry.sessionId(), ctx.ip(),
                "recording=" + entry.id());
        ctx.contentType(CAST_TYPE);
        ctx.header("Content-Disposition", "attachment; filename=\"" + entry.sessionId() + ".cast\"");
        recordings.copyCast(entry, ctx.outputStream());
    }

    private static Instant instant(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'" + name + "' must be a time like 2026-12-01T09:00:00Z.");
        }
    }

    private static int limit(Context ctx) {
        String value = ctx.queryParam("limit");
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new TunnelException(ErrorCode.BAD_REQUEST, "'limit' must be between 1 and " + MAX_LIMIT + ".");
    }
}
