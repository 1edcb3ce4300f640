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
import devicetunnel.protocol.JettySink;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /agent/v1/streams/{streamId}}: one session's bytes from a device. The one-time token from the
 * open-stream request is checked before the upgrade; binary frames go to the paired peer, in the
 * websocket's thread, so a slow peer slows the device down. In a cluster, a stream that belongs to
 * a sibling's session (a device that can reach only the load balancer) is carried to that sibling
 * ({@link ForwardedStream}).
 */
public final class AgentStreamEndpoint {
    private static final Logger log = LoggerFactory.getLogger(AgentStreamEndpoint.class);
    private static final String PATH = Protocol.STREAMS_PATH + "{streamId}";
    private static final String TOKEN_ATTRIBUTE = "streamToken";
    private static final String FORWARD_ATTRIBUTE = "forwardedStream";

    private final StreamBroker broker;
    private final WsKeepalive keepalive;
    private final SiblingStreamClient siblings;
    private final Map<String, StreamPeer> peers = new ConcurrentHashMap<>();

    public AgentStreamEndpoint(StreamBroker broker, WsKeepalive keepalive) {
        this(broker, keepalive, null);
    }

    /** @param siblings cluster only: carries streams of siblings' sessions that devices brought here */
    public AgentStreamEndpoint(StreamBroker broker, WsKeepalive keepalive, SiblingStreamClient siblings) {
        this.broker = broker;
        this.keepalive = keepalive;
        this.siblings = siblings;
    }

    public void install(RoutesConfig routes) {
        routes.wsBeforeUpgrade(PATH, this::authenticate);
        routes.ws(PATH, this::configure);
    }

    private void authenticate(Context ctx) {
        String streamId = ctx.pathParam("streamId");
        String token = Credentials.bearer(ctx.header("Authorization"));
        if (broker.accepts(streamId, token)) {
            ctx.attribute(TOKEN_ATTRIBUTE, token);
            return;
        }
        Optional<String> owner = siblings == null || token == null ? Optional.empty() : broker.ownerUrl(streamId);
        if (owner.isEmpty()) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Unknown stream or wrong stream token.");
        }
        // A sibling's stream (the device could not reach it): the sibling checks the token; only a
        // stream it accepted is upgraded here, so a refusal reaches the device as a refusal.
        ForwardedStream forwarded = new ForwardedStream();
        try {
            siblings.connect(forwarded, owner.get(), streamId, token)
                    .get(SiblingStreamClient.CONNECT_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Interrupted.");
        } catch (ExecutionException | TimeoutException e) {
            log.info("stream {} of relay {} could not be carried there: {}", streamId, owner.get(), e.getCause() == null ? e : e.getCause().toString());
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Unknown stream or wrong stream token.");
        }
        log.debug("carrying stream {} to its relay {}", streamId, owner.get());
        ctx.attribute(FORWARD_ATTRIBUTE, forwarded);
    }

    private void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            ForwardedStream forwarded = ctx.attribute(FORWARD_ATTRIBUTE);
            if (forwarded != null) {
                peers.put(ctx.sessionId(), forwarded);
                forwarded.paired(new JettySink(ctx.session, 1000, "session closed"));
                keepalive.watch(ctx.session);
                return;
            }
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
