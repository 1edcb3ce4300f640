package devicetunnel.relay.ws;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.relay.policy.SessionGate;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.metrics.LogContext;
import devicetunnel.relay.metrics.RelayMetrics;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.TerminalSessionStore;
import devicetunnel.relay.store.Device;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser terminal: {@code /api/v1/devices/{id}/terminal} opens a session,
 * {@code /api/v1/sessions/{sessionId}/terminal?offset=N} resumes one. The operator is
 * authenticated before the upgrade (401); every later refusal is an error message followed by a
 * close whose code carries the HTTP status, so the browser can show the relay's reason.
 */
public final class TerminalEndpoint {
    private static final Logger log = LoggerFactory.getLogger(TerminalEndpoint.class);
    private static final String OPEN_PATH = "/api/v1/devices/{id}/terminal";
    private static final String RESUME_PATH = "/api/v1/sessions/{sessionId}/terminal";
    private static final int MAX_CONTROL_CHARS = 4096;
    /** Input typed while a shell starts (a paste at most); a resumed session is ready at once, so less. */
    private static final int MAX_PENDING_INPUT = 64 * 1024;
    private static final int MAX_PENDING_INPUT_RESUMING = 4 * 1024;

    private final SessionGate gate;
    private final DeviceAccess access;
    private final TerminalSessions sessions;
    private final AuditLog audit;
    private final ExecutorService opener;
    private final WsKeepalive keepalive;
    private final RelayMetrics metrics;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();

    /**
     * One browser websocket: its session once bound, and input typed before the session takes it.
     * Its monitor guards these fields only; nothing is called out while it is held (see "Locks" in
     * docs/ARCHITECTURE.md).
     */
    private static final class Connection {
        final JettyViewer viewer;
        private TerminalSession session;
        /** Input goes straight to the session (every early byte has been handed over). */
        private boolean inputReady;
        private boolean gone;
        private final java.io.ByteArrayOutputStream early = new java.io.ByteArrayOutputStream();
        private final int maxEarlyBytes;

        Connection(JettyViewer viewer, int maxEarlyBytes) {
            this.viewer = viewer;
            this.maxEarlyBytes = maxEarlyBytes;
        }

        /** The session control messages go to; null before it is bound. */
        synchronized TerminalSession session() {
            return session;
        }

        /** Binds the ready session (before it is attached, so the control messages that follow find it); false when the websocket has gone. */
        synchronized boolean bind(TerminalSession ready) {
            if (gone) {
                return false;
            }
            session = ready;
            return true;
        }

        /** The websocket closed; returns the session to detach, if one was bound. */
        synchronized TerminalSession markGone() {
            gone = true;
            return session;
        }

        /**
         * Input arrived: returns the session to write it to, or null when it was kept for later
         * (earlier input is still being handed over). Throws when too much piled up meanwhile.
         */
        synchronized TerminalSession takeInput(java.nio.ByteBuffer data) {
            if (inputReady) {
                return session;
            }
            if (early.size() + data.remaining() > maxEarlyBytes) {
                throw new TunnelException(ErrorCode.PAYLOAD_TOO_LARGE, "Too much input before the session was ready.");
            }
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            early.writeBytes(bytes);
            return null;
        }

        /**
         * The early bytes to write next (then call again), an empty array once input goes straight
         * to the session, or null when the websocket has gone meanwhile.
         */
        synchronized byte[] settle() {
            if (gone) {
                return null;
            }
            byte[] pending = early.toByteArray();
            early.reset();
            if (pending.length == 0) {
                inputReady = true;
            }
            return pending;
        }
    }

    public TerminalEndpoint(SessionGate gate, DeviceAccess access, TerminalSessions sessions, AuditLog audit,
                            ExecutorService opener, WsKeepalive keepalive, RelayMetrics metrics) {
        this.metrics = metrics;
        this.gate = gate;
        this.access = access;
        this.sessions = sessions;
        this.audit = audit;
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
        void start(WsConnectContext ctx, Operator operator, Connection connection);
    }

    private void configure(WsConfig ws, Starter starter, int maxEarlyBytes) {
        ws.onConnect(ctx -> {
            Operator operator = ctx.attribute(OperatorAuth.ATTRIBUTE);
            Connection connection = new Connection(new JettyViewer(ctx.session), maxEarlyBytes);
            connections.put(ctx.sessionId(), connection);
            keepalive.watchTerminal(ctx.session);
            starter.start(ctx, operator, connection);
        });
        ws.onBinaryMessage(ctx -> input(ctx, ctx.data()));
        ws.onMessage(ctx -> control(ctx, ctx.message()));
        ws.onClose(this::closed);
        ws.onError(this::closed);
    }

    private void open(WsConnectContext ctx, Operator operator, Connection connection) {
        String deviceId = ctx.pathParam("id");
        int cols = dimension(ctx.queryParam("cols"), 80);
        int rows = dimension(ctx.queryParam("rows"), 24);
        String ip = String.valueOf(ctx.session.getRemoteSocketAddress());
        long asked = System.nanoTime();
        opener.execute(() -> {
            boolean slot = false;
            LogContext logged = LogContext.operator(operator.username()).device(deviceId);
            try {
                Device device = access.forSession(operator, deviceId);
                gate.acquire(operator.username(), deviceId);
                slot = true;
                TerminalSession session = sessions.open(operator.username(), operator.tokenVersion(), operator.apiTokenId(),
                        device, cols, rows);
                slot = false; // released when the session closes
                metrics.sessionReady(RelayMetrics.TERMINAL, System.nanoTime() - asked);
                logged.session(session.id());
                audit.record("session.open", operator.username(), deviceId, session.id(), ip, cols + "x" + rows);
                ready(ctx, connection, session, 0, true);
            } catch (TunnelException e) {
                refuse(ctx, operator, deviceId, e);
            } catch (RuntimeException e) {
                log.error("opening a terminal on {} failed", deviceId, e);
                refuse(ctx, operator, deviceId, new TunnelException(ErrorCode.INTERNAL, null));
            } finally {
                if (slot) {
                    gate.release(operator.username(), deviceId);
                }
                logged.close();
            }
        });
    }

    private void resume(WsConnectContext ctx, Operator operator, Connection connection) {
        String sessionId = ctx.pathParam("sessionId");
        Optional<TerminalSessionStore.Entry> elsewhere;
        try {
            elsewhere = sessions.elsewhere(sessionId);
        } catch (RuntimeException e) {
            log.error("looking up session {} failed", sessionId, e);
            refuse(ctx, operator, null, new TunnelException(ErrorCode.INTERNAL, null));
            return;
        }
        if (elsewhere.isPresent()) {
            reattach(ctx, operator, connection, elsewhere.get());
            return;
        }
        try {
            TerminalSession session = sessions.find(sessionId)
                    .filter(s -> s.operator().equals(operator.username()) || operator.isAdmin())
                    .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such session (it may have ended)."));
            access.forSession(operator, session.deviceId()); // rights may have changed since it opened
            long offset = parseOffset(ctx.queryParam("offset"));
            boolean owner = session.operator().equals(operator.username());
            audit.record(owner ? "session.resumed" : "session.taken_over", operator.username(), session.deviceId(),
                    session.id(), String.valueOf(ctx.session.getRemoteSocketAddress()),
                    owner ? "offset=" + offset : "owner=" + session.operator());
            ready(ctx, connection, session, offset, false);
        } catch (TunnelException e) {
            refuse(ctx, operator, null, e);
        } catch (IllegalArgumentException e) {
            refuse(ctx, operator, null, new TunnelException(ErrorCode.BAD_REQUEST, e.getMessage()));
        }
    }

    /**
     * Resumes a session this relay does not hold (it restarted, or a sibling relay opened the
     * session and went away): the agent kept the shell and replays what the browser missed.
     */
    private void reattach(WsConnectContext ctx, Operator operator, Connection connection, TerminalSessionStore.Entry entry) {
        long offset;
        try {
            offset = parseOffset(ctx.queryParam("offset"));
        } catch (IllegalArgumentException e) {
            refuse(ctx, operator, null, new TunnelException(ErrorCode.BAD_REQUEST, e.getMessage()));
            return;
        }
        int cols = dimension(ctx.queryParam("cols"), 80);
        int rows = dimension(ctx.queryParam("rows"), 24);
        String ip = String.valueOf(ctx.session.getRemoteSocketAddress());
        boolean owner = entry.operator().equals(operator.username());
        opener.execute(() -> {
            boolean slot = false;
            LogContext logged = LogContext.operator(operator.username()).device(entry.deviceId()).session(entry.id());
            try {
                if (!owner && !operator.isAdmin()) {
                    throw new TunnelException(ErrorCode.NOT_FOUND, "No such session (it may have ended).");
                }
                Device device = access.forSession(operator, entry.deviceId()); // rights may have changed since it opened
                gate.acquire(entry.operator(), entry.deviceId());
                slot = true;
                TerminalSession session = sessions.reattach(entry,
                        owner ? operator.tokenVersion() : TokenService.UNVERSIONED, owner ? operator.apiTokenId() : null,
                        device, offset, cols, rows);
                slot = false; // released when the session closes
                audit.record("session.resumed_through_device", operator.username(), device.id(), entry.id(), ip,
                        "offset=" + offset + (owner ? "" : " owner=" + entry.operator()));
                ready(ctx, connection, session, offset, false);
            } catch (TunnelException e) {
                refuse(ctx, operator, entry.deviceId(), e);
            } catch (RuntimeException e) {
                log.error("resuming session {} through device {} failed", entry.id(), entry.deviceId(), e);
                refuse(ctx, operator, entry.deviceId(), new TunnelException(ErrorCode.INTERNAL, null));
            } finally {
                if (slot) {
                    gate.release(entry.operator(), entry.deviceId());
                }
                logged.close();
            }
        });
    }

    /**
     * Attaches the ready session to the browser, then writes what was typed while it opened, in
     * order: input that arrives meanwhile is buffered until the last early byte is written.
     * {@code opened}: the session was just opened for this websocket (not a resume).
     */
    private void ready(WsContext ctx, Connection connection, TerminalSession session, long offset, boolean opened) {
        if (!ctx.session.isOpen() || !connection.bind(session)) {
            leave(connection, session, opened);
            return;
        }
        session.attach(connection.viewer, offset);
        byte[] early;
        while ((early = connection.settle()) != null && early.length > 0) {
            writeInput(session, java.nio.ByteBuffer.wrap(early));
        }
        if (early == null) { // the websocket closed meanwhile; closed() may have detached before the attach
            leave(connection, session, opened);
        }
    }

    private void closeByUser(WsContext ctx, TerminalSession session) {
        Operator operator = ctx.attribute(OperatorAuth.ATTRIBUTE);
        audit.record("session.closed_by_user", operator == null ? null : operator.username(),
                session.deviceId(), session.id(), String.valueOf(ctx.session.getRemoteSocketAddress()), null);
        session.close();
    }

    /** The browser left while its session was getting ready. */
    private static void leave(Connection connection, TerminalSession session, boolean opened) {
        if (opened) {
            session.close(); // nobody will resume a shell whose browser left while it was starting
        } else {
            session.detach(connection.viewer);
        }
    }

    private void refuse(WsContext ctx, Operator operator, String deviceId, TunnelException e) {
        if (e.code() == ErrorCode.HOST_KEY_MISMATCH) {
            audit.record("device.hostkey.mismatch", operator == null ? null : operator.username(), deviceId, null,
                    String.valueOf(ctx.session.getRemoteSocketAddress()), "the device presented a host key other than the pinned one");
        }
        audit.record("session.refused", operator == null ? null : operator.username(), deviceId, null,
                String.valueOf(ctx.session.getRemoteSocketAddress()), e.code().code() + ": " + e.getMessage());
        if (ctx.session.isOpen()) {
            ctx.send(Json.error(e.code(), e.getMessage()));
            ctx.closeSession(e.code().closeCode(), e.code().code());
        }
    }

    private void input(WsContext ctx, java.nio.ByteBuffer data) {
        keepalive.heard(ctx.session);
        Connection connection = connections.get(ctx.sessionId());
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

    private static void writeInput(TerminalSession session, java.nio.ByteBuffer data) {
        try {
            session.input(data);
        } catch (IOException e) {
            // The session is ending; its pump reports why.
        }
    }

    private void control(WsContext ctx, String text) {
        keepalive.heard(ctx.session);
        Connection connection = connections.get(ctx.sessionId());
        if (connection == null) {
            return;
        }
        try {
            JsonNode message = Json.readObject(text, MAX_CONTROL_CHARS);
            String type = message.path("type").asText("");
            TerminalSession session = connection.session();
            switch (type) {
                case "resize" -> {
                    int cols = strictDimension(message.get("cols"));
                    int rows = strictDimension(message.get("rows"));
                    if (session != null) {
                        session.resize(cols, rows);
                    }
                }
                case "ack" -> {
                    JsonNode bytes = message.get("bytes");
                    if (bytes == null || !bytes.canConvertToLong() || bytes.asLong() < 0) {
                        throw new TunnelException(ErrorCode.BAD_REQUEST, "ack needs a non-negative 'bytes'.");
                    }
                    if (session != null && session.isAttached(connection.viewer)) {
                        session.ack(bytes.asLong());
                    }
                }
                case "pong" -> keepalive.answered(ctx.session);
                case "close" -> { // the operator closed the tab: end the shell now, not after the resume grace
                    if (session != null && session.isAttached(connection.viewer)) {
                        closeByUser(ctx, session);
                    }
                }
                default -> throw new TunnelException(ErrorCode.BAD_REQUEST, "Unknown message type '" + clip(type) + "'.");
            }
        } catch (TunnelException e) {
            log.info("closing terminal websocket after a bad control message: {}", e.getMessage());
            TerminalSession session = connection.session();
            refuse(ctx, null, session == null ? null : session.deviceId(), e);
        } catch (IOException e) {
            // resize on a closing channel: nothing to do
        }
    }

    private void closed(WsContext ctx) {
        keepalive.forget(ctx.session);
        Connection connection = connections.remove(ctx.sessionId());
        if (connection == null) {
            return;
        }
        TerminalSession session = connection.markGone();
        if (session != null) {
            session.detach(connection.viewer);
        }
    }

    private static int dimension(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            return n >= 1 && n <= 1000 ? n : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static int strictDimension(JsonNode node) {
        if (node == null || !node.canConvertToInt() || node.asInt() < 1 || node.asInt() > 1000) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "cols and rows must be integers from 1 to 1000.");
        }
        return node.asInt();
    }

    private static long parseOffset(String value) {
        try {
            long offset = value == null ? 0 : Long.parseLong(value);
            if (offset < 0) {
                throw new NumberFormatException();
            }
            return offset;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("offset must be a non-negative integer.");
        }
    }

    private static String clip(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "…" : s;
    }
}
