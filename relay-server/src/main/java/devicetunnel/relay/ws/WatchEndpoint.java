package devicetunnel.relay.ws;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.relay.http.SiblingRequests;
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
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/sessions/{sessionId}/watch[?share=TOKEN]}: someone else's shared terminal
 * session, as a websocket like the terminal's (the same hello, output, pings), through a link's
 * token or a share by name. Input is written to the shell only for a joiner the owner allowed
 * to type; anyone else's is refused with {@code {"type":"input_refused"}} (once) and dropped.
 * Resizes are ignored: the owner's window decides the shell's size. In a cluster, a watch of a
 * session a sibling holds is carried to that sibling ({@link ForwardedWatch}).
 */
public final class WatchEndpoint {
    private static final Logger log = LoggerFactory.getLogger(WatchEndpoint.class);
    public static final String PATH = "/api/v1/sessions/{sessionId}/watch";
    private static final String FORWARD_ATTRIBUTE = "forwardedWatch";

    private final SessionGate gate;
    private final TerminalSessions sessions;
    private final Sharing sharing;
    private final WsKeepalive keepalive;
    private final Map<String, Watching> watching = new ConcurrentHashMap<>();
    private final Map<String, ForwardedWatch> forwarded = new ConcurrentHashMap<>();
    private final SiblingRequests siblings;
    private final SiblingStreamClient siblingSockets; // null on a single node

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
        this(gate, sessions, sharing, keepalive, SiblingRequests.NONE, null);
    }

    /** @param siblingSockets cluster only: carries watches of sessions that siblings hold */
    public WatchEndpoint(SessionGate gate, TerminalSessions sessions, Sharing sharing, WsKeepalive keepalive,
                         SiblingRequests siblings, SiblingStreamClient siblingSockets) {
        this.siblings = siblings;
        this.siblingSockets = siblingSockets;
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
        String sessionId = ctx.pathParam("sessionId");
        if (siblingSockets != null && sessions.find(sessionId).isEmpty()) {
            siblings.towardsSessionHolder(ctx, sessionId).ifPresent(to -> ctx.attribute(FORWARD_ATTRIBUTE, carry(to)));
        }
        if (Credentials.offeredSubprotocols(ctx).contains(Credentials.SUBPROTOCOL)) {
            ctx.header("Sec-WebSocket-Protocol", Credentials.SUBPROTOCOL);
        }
    }

    /** Connects to the sibling before this upgrade completes, so a sibling that cannot be reached is a refusal here. */
    private ForwardedWatch carry(SiblingRequests.Passage to) {
        ForwardedWatch watch = new ForwardedWatch();
        URI uri = URI.create(to.uri().toString().replaceFirst("^http", "ws"));
        try {
            siblingSockets.connect(watch, uri, to.headers())
                    .get(SiblingStreamClient.CONNECT_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            return watch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.info("watch of a session on {} could not be carried there: {}", to.uri().getAuthority(),
                    e.getCause() == null ? e.toString() : e.getCause().toString());
        }
        throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "The relay holding this session did not answer; try again.");
    }

    private void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onBinaryMessage(ctx -> {
            ForwardedWatch carried = forwarded.get(ctx.sessionId());
            if (carried != null) {
                carried.fromBrowser(ctx.data());
            } else {
                input(ctx, ctx.data());
            }
        });
        ws.onMessage(ctx -> {
            ForwardedWatch carried = forwarded.get(ctx.sessionId());
            if (carried != null) {
                carried.fromBrowser(ctx.message());
            } else {
                control(ctx, ctx.message());
            }
        });
        ws.onClose(ctx -> {
            ForwardedWatch carried = forwarded.remove(ctx.sessionId());
            if (carried != null) {
                carried.browserClosed(ctx.status(), ctx.reason());
            }
            closed(ctx);
        });
        ws.onError(ctx -> {
            ForwardedWatch carried = forwarded.remove(ctx.sessionId());
            if (carried != null) {
                carried.browserClosed(1000, "watcher gone");
            }
            closed(ctx);
        });
    }

    private void connect(WsConnectContext ctx) {
        ForwardedWatch carried = ctx.attribute(FORWARD_ATTRIBUTE);
        if (carried != null) {
            forwarded.put(ctx.sessionId(), carried);
            carried.attach(ctx.session);
            return;
        }
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
