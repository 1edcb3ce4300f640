package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.recording.Recordings;
import devicetunnel.relay.recording.TranscriptSearch;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.RecordingStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/recordings[?deviceId=&operator=&from=&to=&limit=&q=]}: recorded terminal sessions,
 * newest first (an admin sees all, anyone else their own); with {@code q}, only those whose text
 * contains it, each with its first matching lines. {@code GET /api/v1/recordings/{id}/cast}: the
 * asciicast v2 file, streamed (viewing is audited). {@code GET /api/v1/recordings/{id}/live}: for
 * admins, a running session's recording as server-sent events (audited).
 */
public final class RecordingRoutes {
    static final String CAST_TYPE = "application/x-asciicast";
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    private static final int MAX_QUERY = 200;

    private final Recordings recordings;
    private final AuditLog audit;

    /** A recording as the API lists it; {@code endedAt} is null while the session runs. */
    public record RecordingView(String id, String sessionId, String deviceId, String operator, Instant startedAt,
                                Instant endedAt, long bytes) {
        static RecordingView of(RecordingStore.Entry e) {
            return new RecordingView(e.id(), e.sessionId(), e.deviceId(), e.operator(), e.startedAt(), e.endedAt(), e.bytes());
        }
    }

    /** A recording that contains the searched text: its listing plus where the text is. */
    public record RecordingMatchView(String id, String sessionId, String deviceId, String operator, Instant startedAt,
                                     Instant endedAt, long bytes, double firstMatchAt,
                                     List<TranscriptSearch.Match> matches) {
        static RecordingMatchView of(TranscriptSearch.Hit hit) {
            RecordingStore.Entry e = hit.entry();
            return new RecordingMatchView(e.id(), e.sessionId(), e.deviceId(), e.operator(), e.startedAt(), e.endedAt(),
                    e.bytes(), hit.matches().get(0).at(), hit.matches());
        }
    }

    public RecordingRoutes(Recordings recordings, AuditLog audit) {
        this.recordings = recordings;
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/recordings", this::list);
        routes.get("/api/v1/recordings/{id}/cast", this::cast);
        routes.get("/api/v1/recordings/{id}/live", new LiveRecordingStream(recordings, audit)::watch);
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
        RecordingStore.Filter filter = new RecordingStore.Filter(deviceId, operator, QueryParams.instant(ctx, "from"),
                QueryParams.instant(ctx, "to"), limit(ctx));
        String query = ctx.queryParam("q");
        if (query == null || query.isEmpty()) {
            ctx.json(recordings.list(filter).stream().map(RecordingView::of).toList());
        } else if (query.length() > MAX_QUERY || query.isBlank()) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'q' must be 1 to " + MAX_QUERY + " characters, not only spaces.");
        } else {
            ctx.json(recordings.search(filter, query).stream().map(RecordingMatchView::of).toList());
        }
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
