package devicetunnel.relay.ws;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.relay.metrics.LogContext;
import devicetunnel.relay.metrics.RelayMetrics;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.policy.SessionGate;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.TerminalSessionStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser terminal websocket: {@code /api/v1/devices/{id}/terminal} opens a session,
 * {@code /api/v1/sessions/{sessionId}/terminal?offset=N} resumes one. The operator is
 * authenticated before the upgrade (401); every later refusal is an error message followed by a
 * close whose code carries the HTTP status, so the browser can show the relay's reason. What to
 * open is decided by {@link TerminalOpener}; this class moves bytes and control messages between
 * the websocket and the session.
 */
public final class TerminalEndpoint {
    private static final Logger log = LoggerFactory.getLogger(TerminalEndpoint.class);
    private static final String OPEN_PATH = "/api/v1/devices/{id}/terminal";
    private static final String RESUME_PATH = "/api/v1/sessions/{sessionId}/terminal";
    /** Input typed while a shell starts (a paste at most); a resumed session is ready at once, so less. */
    private static final int MAX_PENDING_INPUT = 64 * 1024;
    private static final int MAX_PENDING_INPUT_RESUMING = 4 * 1024;

    private final SessionGate gate;
    private final TerminalOpener opening;
    private final ExecutorService opener;
    private final WsKeepalive keepalive;
    private final Map<String, TerminalConnection> connections = new ConcurrentHashMap<>();

    public TerminalEndpoint(SessionGate gate, DeviceAccess access, TerminalSessions sessions, AuditLog audit,
                            ExecutorService opener, WsKeepalive keepalive, RelayMetrics metrics) {
        this.gate = gate;
        this.opening = new TerminalOpener(gate, access, sessions, audit, metrics);
        this.opener = opener;
        this.keepalive = keepalive;
    }

    public void install(RoutesConfig routes) {
        routes.wsBeforeUpgrade(OPEN_PATH, ctx -> beforeUpgrade(ctx, true));
        routes.wsBeforeUpgrade(RESUME_PATH, ctx -> beforeUpgrade(ctx, false));
        routes.ws(OPEN_PATH, ws -> configure(ws, this::open, MAX_PENDING_INPUT));
        routes.ws(RESUME_PATH, ws -> configure(ws, this::resume, MAX_PENDING_INPUT_RESUMING));
    }

    private void beforeUpgrade(Context ctx, boolean opening) {
        gate.beforeUpgrade(ctx, opening);
        if (Credentials.offeredSubprotocols(ctx).contains(Credentials.SUBPROTOCOL)) {
            ctx.header("Sec-WebSocket-Protocol", Credentials.SUBPROTOCOL);
        }
    }

    private interface Starter {
        void start(WsConnectContext ctx, Operator operator, TerminalConnection connection);
    }

    private void configure(WsConfig ws, Starter starter, int maxEarlyBytes) {
        ws.onConnect(ctx -> {
            Operator operator = ctx.attribute(OperatorAuth.ATTRIBUTE);
            TerminalConnection connection = new TerminalConnection(new JettyViewer(ctx.session), maxEarlyBytes);
            connections.put(ctx.sessionId(), connection);
            keepalive.watchTerminal(ctx.session);
            starter.start(ctx, operator, connection);
        });
        ws.onBinaryMessage(ctx -> input(ctx, ctx.data()));
        ws.onMessage(ctx -> control(ctx, ctx.message()));
        ws.onClose(this::closed);
        ws.onError(this::closed);
    }

    private void open(WsConnectContext ctx, Operator operator, TerminalConnection connection) {
        String deviceId = ctx.pathParam("id");
        int cols = dimension(ctx.queryParam("cols"), 80);
        int rows = dimension(ctx.queryParam("rows"), 24);
        String ip = remote(ctx);
        opener.execute(() -> startOffThread(ctx, operator, deviceId, null, connection, 0, true,
                () -> opening.open(operator, deviceId, cols, rows, ip)));
    }

    private void resume(WsConnectContext ctx, Operator operator, TerminalConnection connection) {
        String sessionId = ctx.pathParam("sessionId");
        long offset;
        Optional<TerminalSessionStore.Entry> elsewhere;
        try {
            offset = parseOffset(ctx.queryParam("offset"));
            elsewhere = opening.elsewhere(sessionId);
        } catch (TunnelException e) {
            refuse(ctx, operator, null, e);
            return;
        } catch (RuntimeException e) {
            log.error("looking up session {} failed", sessionId, e);
            refuse(ctx, operator, null, new TunnelException(ErrorCode.INTERNAL, null));
            return;
        }
        if (elsewhere.isPresent()) {
            TerminalSessionStore.Entry entry = elsewhere.get();
            int cols = dimension(ctx.queryParam("cols"), 80);
            int rows = dimension(ctx.queryParam("rows"), 24);
            String ip = remote(ctx);
            opener.execute(() -> startOffThread(ctx, operator, entry.deviceId(), entry.id(), connection, offset, false,
                    () -> opening.reattach(operator, entry, offset, cols, rows, ip)));
            return;
        }
        try {
            ready(ctx, connection, opening.resume(operator, sessionId, offset, remote(ctx)), offset, false);
        } catch (TunnelException e) {
            refuse(ctx, operator, null, e);
        }
    }

    /** Runs a blocking open or re-attach on the opener pool, with the ids in the log context. */
    private void startOffThread(WsContext ctx, Operator operator, String deviceId, String sessionId,
                                TerminalConnection connection, long offset, boolean opened, Supplier<TerminalSession> start) {
        LogContext logged = LogContext.operator(operator.username()).device(deviceId);
        if (sessionId != null) {
            logged.session(sessionId);
        }
        try {
            TerminalSession session = start.get();
            logged.session(session.id());
            ready(ctx, connection, session, offset, opened);
        } catch (TunnelException e) {
            refuse(ctx, operator, deviceId, e);
        } catch (RuntimeException e) {
            log.error("starting a terminal on {} failed", deviceId, e);
            refuse(ctx, operator, deviceId, new TunnelException(ErrorCode.INTERNAL, null));
        } finally {
            logged.close();
        }
    }

    /**
     * Attaches the ready session to the browser, then writes what was typed while it opened, in
     * order: input that arrives meanwhile is buffered until the last early byte is written.
     * {@code opened}: the session was just opened for this websocket (not a resume).
     */
    private void ready(WsContext ctx, TerminalConnection connection, TerminalSession session, long offset, boolean opened) {
        if (!ctx.session.isOpen() || !connection.bind(session)) {
            leave(connection, session, opened);
            return;
        }
        session.attach(connection.viewer, offset);
        byte[] early;
        while ((early = connection.settle()) != null && early.length > 0) {
            writeInput(session, ByteBuffer.wrap(early));
        }
        if (early == null) { // the websocket closed meanwhile; closed() may have detached before the attach
            // Attached means the session's id was sent: the browser may have it and resume, as after any drop.
            session.detach(connection.viewer);
        }
    }

    /** The browser left before its session was attached (it never heard the session's id). */
    private static void leave(TerminalConnection connection, TerminalSession session, boolean opened) {
        if (opened) {
            session.close(); // nobody will resume a shell whose browser left while it was starting
        } else {
            session.detach(connection.viewer);
        }
    }

    private void refuse(WsContext ctx, Operator operator, String deviceId, TunnelException e) {
        opening.refused(operator, deviceId, e, remote(ctx));
        if (ctx.session.isOpen()) {
            ctx.send(Json.error(e.code(), e.getMessage()));
            ctx.closeSession(e.code().closeCode(), e.code().code());
        }
    }

    private void input(WsContext ctx, ByteBuffer data) {
        keepalive.heard(ctx.session);
        TerminalConnection connection = connections.get(ctx.sessionId());
        if (connection == null) {
            return;
        }
        TerminalSession session;
        try {
            session = connection.takeInput(data);
        } catch (TunnelException e) {
            refuse(ctx, null, null, e);
            return;
        }
        if (session != null) {
            writeInput(session, data);
        }
    }

    private static void writeInput(TerminalSession session, ByteBuffer data) {
        try {
            session.input(data);
        } catch (IOException e) {
            // The session is ending; its pump reports why.
        }
    }

    private void control(WsContext ctx, String text) {
        keepalive.heard(ctx.session);
        TerminalConnection connection = connections.get(ctx.sessionId());
        if (connection == null) {
            return;
        }
        TerminalSession session = connection.session();
        try {
            TerminalControl message = TerminalControl.parse(text);
            if (message instanceof TerminalControl.Pong) {
                keepalive.answered(ctx.session);
            } else if (session == null) {
                return; // not bound yet: resizes and acks before the session mean nothing
            } else if (message instanceof TerminalControl.Resize resize) {
                session.resize(resize.cols(), resize.rows());
            } else if (message instanceof TerminalControl.Ack ack && session.isAttached(connection.viewer)) {
                session.ack(ack.bytes());
            } else if (message instanceof TerminalControl.Close && session.isAttached(connection.viewer)) {
                opening.closeByUser(ctx.attribute(OperatorAuth.ATTRIBUTE), session, remote(ctx));
            }
        } catch (TunnelException e) {
            log.info("closing terminal websocket after a bad control message: {}", e.getMessage());
            refuse(ctx, null, session == null ? null : session.deviceId(), e);
        } catch (IOException e) {
            // resize on a closing channel: nothing to do
        }
    }

    private void closed(WsContext ctx) {
        keepalive.forget(ctx.session);
        TerminalConnection connection = connections.remove(ctx.sessionId());
        if (connection == null) {
            return;
        }
        TerminalSession session = connection.markGone();
        if (session != null) {
            session.detach(connection.viewer);
        }
    }

    private static String remote(WsContext ctx) {
        return String.valueOf(ctx.session.getRemoteSocketAddress());
    }

    private static int dimension(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            return n >= 1 && n <= TerminalControl.MAX_DIMENSION ? n : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static long parseOffset(String value) {
        try {
            long offset = value == null ? 0 : Long.parseLong(value);
            if (offset < 0) {
                throw new NumberFormatException();
            }
            return offset;
        } catch (NumberFormatException e) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "offset must be a non-negative integer.");
        }
    }
}
