package devicetunnel.relay.ws;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.relay.policy.SessionGate;
import devicetunnel.relay.share.Share;
import devicetunnel.relay.share.Sharing;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.ssh.Watcher;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/sessions/{sessionId}/watch[?share=TOKEN]}: someone else's shared terminal
 * session, as a websocket like the terminal's (the same hello, output, pings), through a link's
 * token or a share by name. Input is written to the shell only for a joiner the owner allowed
 * to type; anyone else's is refused with {@code {"type":"input_refused"}} (once) and dropped.
 * Resizes are ignored: the owner's window decides the shell's size.
 */
public final class WatchEndpoint {
    private static final Logger log = LoggerFactory.getLogger(WatchEndpoint.class);
    public static final String PATH = "/api/v1/sessions/{sessionId}/watch";

    private final SessionGate gate;
    private final TerminalSessions sessions;
    private final Sharing sharing;
    private final WsKeepalive keepalive;
    private final Map<String, Watching> watching = new ConcurrentHashMap<>();

    private static final class Watching {
        final TerminalSession session;
        final Watcher watcher;
        volatile boolean toldReadOnly;

        Watching(TerminalSession session, Watcher watcher) {
            this.session = session;
            this.watcher = watcher;
        }
    }

    public WatchEndpoint(SessionGate gate, TerminalSessions sessions, Sharing sharing, WsKeepalive keepalive) {
        this.gate = gate;
        this.sessions = sessions;
        this.sharing = sharing;
        this.keepalive = keepalive;
    }

    public void install(RoutesConfig routes) {
        routes.wsBeforeUpgrade(PATH, this::beforeUpgrade);
        routes.ws(PATH, this::configure);
    }

    private void beforeUpgrade(Context ctx) {
        gate.beforeUpgrade(ctx, false); // origin, rate limit and login, as for a resume
        if (Credentials.offeredSubprotocols(ctx).contains(Credentials.SUBPROTOCOL)) {
            ctx.header("Sec-WebSocket-Protocol", Credentials.SUBPROTOCOL);
        }
    }

    private void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onBinaryMessage(ctx -> input(ctx, ctx.data()));
        ws.onMessage(ctx -> control(ctx, ctx.message()));
        ws.onClose(this::closed);
        ws.onError(this::closed);
    }

    private void connect(WsConnectContext ctx) {
        Operator who = ctx.attribute(OperatorAuth.ATTRIBUTE);
        String sessionId = ctx.pathParam("sessionId");
        keepalive.watchTerminal(ctx.session);
        try {
            Share share = sharing.shares().admit(who, sessionId, ctx.queryParam("share"), sharing::mayView);
            TerminalSession session = sessions.find(sessionId)
                    .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such session (it may have ended)."));
            Watcher w = sharing.join(who, session, share, new JettyViewer(ctx.session), remote(ctx));
            watching.put(ctx.sessionId(), new Watching(session, w));
            if (!ctx.session.isOpen()) { // closed while joining: closed() found nothing to remove
                closed(ctx);
            }
        } catch (TunnelException e) {
            refuse(ctx, who, sessionId, e);
        }
    }

    private void refuse(WsContext ctx, Operator who, String sessionId, TunnelException e) {
        sharing.refused(who, sessionId, e, remote(ctx));
        if (ctx.session.isOpen()) {
            ctx.send(Json.error(e.code(), e.getMessage()));
            ctx.closeSession(e.code().closeCode(), e.code().code());
        }
    }

    private void input(WsContext ctx, ByteBuffer data) {
        keepalive.heard(ctx.session);
        Watching w = watching.get(ctx.sessionId());
        if (w == null) {
            return;
        }
        if (!w.watcher.typingAllowed() || !w.session.isWatching(w.watcher)) {
            if (!w.toldReadOnly) {
                w.toldReadOnly = true;
                ctx.send(Json.write(Map.of("type", "input_refused", "message", w.watcher.mode() == Watcher.Mode.JOIN
                        ? "You may type once the session's owner allows it." : "This session is shared with you read-only.")));
            }
            return;
        }
        try {
            w.session.input(data);
        } catch (IOException e) {
            // the session is ending; the watcher hears it from the session
        }
    }

    private void control(WsContext ctx, String text) {
        keepalive.heard(ctx.session);
        try {
            TerminalControl message = TerminalControl.parse(text);
            if (message instanceof TerminalControl.Pong) {
                keepalive.answered(ctx.session);
            } else if (message instanceof TerminalControl.Close) {
                ctx.closeSession(1000, "watcher left");
            } // acks and resizes: a watcher paces nothing and sizes nothing
        } catch (TunnelException e) {
            log.info("closing watch websocket after a bad control message: {}", e.getMessage());
            refuse(ctx, null, null, e);
        }
    }

    private void closed(WsContext ctx) {
        keepalive.forget(ctx.session);
        Watching w = watching.remove(ctx.sessionId());
        if (w != null) {
            sharing.left(w.session, w.watcher, remote(ctx));
        }
    }

    private static String remote(WsContext ctx) {
        return String.valueOf(ctx.session.getRemoteSocketAddress());
    }
}
