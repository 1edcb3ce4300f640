package devicetunnel.relay.ws;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.link.StreamPeer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /agent/v1/streams/{streamId}}: one session's bytes from a device. The one-time token from the
 * open-stream request is checked before the upgrade; binary frames go to the paired peer, in the
 * websocket's thread, so a slow peer slows the device down.
 */
public final class AgentStreamEndpoint {
    private static final String PATH = Protocol.STREAMS_PATH + "{streamId}";
    private static final String TOKEN_ATTRIBUTE = "streamToken";

    private final StreamBroker broker;
    private final WsKeepalive keepalive;
    private final Map<String, StreamPeer> peers = new ConcurrentHashMap<>();

    public AgentStreamEndpoint(StreamBroker broker, WsKeepalive keepalive) {
        this.broker = broker;
        this.keepalive = keepalive;
    }

    public void install(RoutesConfig routes) {
        routes.wsBeforeUpgrade(PATH, this::authenticate);
        routes.ws(PATH, this::configure);
    }

    private void authenticate(Context ctx) {
        String token = Credentials.bearer(ctx.header("Authorization"));
        if (!broker.accepts(ctx.pathParam("streamId"), token)) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Unknown stream or wrong stream token.");
        }
        ctx.attribute(TOKEN_ATTRIBUTE, token);
    }

    private void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            StreamPeer peer = broker.attach(ctx.pathParam("streamId"), ctx.attribute(TOKEN_ATTRIBUTE), ctx.session);
            if (peer == null) {
                ctx.closeSession(ErrorCode.UNAUTHORIZED.closeCode(), "stream token already used or expired");
                return;
            }
            peers.put(ctx.sessionId(), peer);
            keepalive.watch(ctx.session);
        });
        ws.onBinaryMessage(ctx -> {
            StreamPeer peer = peers.get(ctx.sessionId());
            if (peer != null) {
                peer.fromDevice(ctx.data());
            }
        });
        ws.onMessage(ctx -> ctx.closeSession(ErrorCode.BAD_REQUEST.closeCode(), "streams carry binary frames only"));
        ws.onClose(ctx -> closed(ctx, ctx.status() == 1000 ? "closed by the device" : "device stream closed: " + ctx.status()));
        ws.onError(ctx -> closed(ctx, "device stream failed"));
    }

    private void closed(WsContext ctx, String reason) {
        keepalive.forget(ctx.session);
        StreamPeer peer = peers.remove(ctx.sessionId());
        if (peer != null) {
            peer.deviceClosed(reason);
        }
    }
}
