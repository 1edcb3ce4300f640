package devicetunnel.relay.link;

import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.JettySink;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.SecretTokens;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs user-side peers with device stream websockets. The relay asks the agent (control link) to
 * open {@code /agent/v1/streams/{id}} with a one-time token; when it arrives, the two are joined.
 */
public final class StreamBroker {
    private static final Logger log = LoggerFactory.getLogger(StreamBroker.class);

    private final DeviceRegistry registry;
    private final ScheduledExecutorService scheduler;
    private final RemoteStreams siblings;
    private final ConcurrentMap<String, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(String deviceId, String tokenHash, StreamPeer peer, CompletableFuture<Void> connected) {}

    public StreamBroker(DeviceRegistry registry, ScheduledExecutorService scheduler) {
        this(registry, scheduler, RemoteStreams.NONE);
    }

    /** {@code siblings}: how to reach devices whose link is on another relay of the cluster. */
    public StreamBroker(DeviceRegistry registry, ScheduledExecutorService scheduler, RemoteStreams siblings) {
        this.registry = registry;
        this.scheduler = scheduler;
        this.siblings = siblings;
    }

    /** Asks the device for a stream for {@code peer}; completes once the device's websocket is paired. */
    public CompletableFuture<Void> open(String deviceId, StreamPeer peer, Duration timeout) {
        DeviceLink link = registry.link(deviceId).orElse(null);
        // Not here: maybe a sibling relay holds the link (cluster). The stream still comes to us.
        String holder = link != null ? null : siblings.holder(deviceId).orElseThrow(() ->
                new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "The device is offline."));
        String streamId = siblings.newStreamId();
        String token = SecretTokens.generate();
        CompletableFuture<Void> connected = new CompletableFuture<>();
        pending.put(streamId, new Pending(deviceId, SecretTokens.hash(token), peer, connected));
        scheduler.schedule(() -> fail(streamId, new TunnelException(ErrorCode.DEVICE_TIMEOUT,
                "The device did not open the session in time.")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (link != null) {
            link.send(new ControlMessage.OpenStream(streamId, token, siblings.streamUrl()));
        } else {
            siblings.requestOpen(holder, deviceId, streamId, token).whenComplete((ok, error) -> {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException c && c.getCause() != null
                            ? c.getCause() : error;
                    if (!(cause instanceof TunnelException)) { // said in words already; anything else: say what
                        log.warn("relay {} did not pass on the open of a stream to device {}: {}", holder, deviceId,
                                cause.toString());
                    }
                    fail(streamId, cause instanceof TunnelException said ? said : new TunnelException(
                            ErrorCode.DEVICE_UNREACHABLE, "The relay holding the device's link could not reach it."));
                }
            });
        }
        return connected;
    }

    /** Whether a stream websocket may be upgraded: the id is pending and the token matches. */
    public boolean accepts(String streamId, String token) {
        Pending p = streamId == null ? null : pending.get(streamId);
        return p != null && SecretTokens.matches(token, p.tokenHash);
    }

    /** The sibling relay URL a stream that is not ours belongs to (a device that could not reach it). */
    public java.util.Optional<String> ownerUrl(String streamId) {
        return streamId == null || pending.containsKey(streamId) ? java.util.Optional.empty() : siblings.ownerUrl(streamId);
    }

    /** Joins the device's websocket to its peer; the token is used up. Null when no longer pending. */
    public StreamPeer attach(String streamId, String token, Session deviceSession) {
        Pending p = pending.get(streamId);
        if (p == null || !SecretTokens.matches(token, p.tokenHash) || !pending.remove(streamId, p)) {
            return null;
        }
        p.peer.paired(new JettySink(deviceSession, 1000, "session closed"));
        p.connected.complete(null);
        return p.peer;
    }

    /** The agent reported it could not open the stream. Only that device may fail its streams. */
    public void agentFailed(String deviceId, String streamId, String message) {
        Pending p = pending.get(streamId);
        if (p == null) {
            siblings.agentFailed(deviceId, streamId, message); // perhaps a sibling's stream we passed on
        } else if (p.deviceId.equals(deviceId)) {
            fail(streamId, new TunnelException(ErrorCode.DEVICE_UNREACHABLE,
                    "The device could not start the session" + (message == null ? "." : ": " + message)));
        }
    }

    private void fail(String streamId, TunnelException reason) {
        Pending p = pending.remove(streamId);
        if (p != null) {
            p.connected.completeExceptionally(reason);
        }
    }
}
