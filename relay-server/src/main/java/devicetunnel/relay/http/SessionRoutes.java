package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.store.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /api/v1/sessions[?deviceId=D]}: the open terminal sessions the caller may see (an
 * admin all, anyone else their own), attached or waiting for their browser to come back;
 * {@code DELETE /api/v1/sessions/{id}}: the owner or an admin ends one at once, freeing its slot.
 */
public final class SessionRoutes {
    private final TerminalSessions sessions;
    private final AuditLog audit;

    /** A terminal session as the console lists it; {@code attached} is false while it waits out the resume grace. */
    public record SessionView(String id, String deviceId, String operator, Instant startedAt, boolean attached) {
        static SessionView of(TerminalSession s) {
            return new SessionView(s.id(), s.deviceId(), s.operator(), s.startedAt(), s.hasViewer());
        }
    }

    public SessionRoutes(TerminalSessions sessions, AuditLog audit) {
        this.sessions = sessions;
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/sessions", this::list);
        routes.delete("/api/v1/sessions/{id}", this::end);
    }

    private void list(Context ctx) {
        Operator me = OperatorAuth.current(ctx);
        String deviceId = ctx.queryParam("deviceId");
        if (deviceId != null && !Protocol.isValidDeviceId(deviceId)) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'deviceId' is not a valid device id.");
        }
        List<SessionView> visible = sessions.all().stream()
                .filter(s -> mayManage(me, s))
                .filter(s -> deviceId == null || s.deviceId().equals(deviceId))
                .sorted(Comparator.comparing(TerminalSession::startedAt))
                .map(SessionView::of)
                .toList();
        ctx.json(visible);
    }

    private void end(Context ctx) {
        Operator me = OperatorAuth.current(ctx);
        TerminalSession session = sessions.find(ctx.pathParam("id"))
                .filter(s -> mayManage(me, s)) // someone else's session is not there for you: 404, not 403
                .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such session (it may have ended)."));
        audit.record("session.ended_by", me.username(), session.deviceId(), session.id(), ctx.ip(),
                "owner=" + session.operator() + (session.hasViewer() ? " attached" : " detached"));
        session.terminate(ErrorCode.CONFLICT, "This session was ended by " + me.username() + ".", 1000);
        ctx.status(204);
    }

    static boolean mayManage(Operator me, TerminalSession s) {
        return me.isAdmin() || s.operator().equals(me.username());
    }
}
