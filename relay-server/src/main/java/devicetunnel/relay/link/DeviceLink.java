package devicetunnel.relay.link;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.DeviceFacts;
import devicetunnel.protocol.Liveness;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's live control websocket, as seen by the relay. Its single writer is {@link #send}.
 * What it queues is bounded ({@link #MAX_QUEUED_BYTES}): an agent that never reads is dropped.
 */
public final class DeviceLink {
    private static final Logger log = LoggerFactory.getLogger(DeviceLink.class);
    /** Control messages are small; hundreds of them unread means the agent stopped reading. */
    public static final long MAX_QUEUED_BYTES = 64 * 1024;

    private final String deviceId;
    private final Session session;
    private final String remoteAddress;
    private final Instant connectedAt = Instant.now();
    private final Liveness liveness = new Liveness();
    private final OutboundBudget outbound;
    /** The facts last stored from this link (messages of one link arrive one at a time). */
    private volatile DeviceFacts lastFacts;
    private volatile Instant lastFactsAt;

    public DeviceLink(String deviceId, Session session, String remoteAddress) {
        this(deviceId, session, remoteAddress, MAX_QUEUED_BYTES);
    }

    DeviceLink(String deviceId, Session session, String remoteAddress, long maxQueuedBytes) {
        this.outbound = new OutboundBudget(maxQueuedBytes);
        this.deviceId = deviceId;
        this.session = session;
        this.remoteAddress = remoteAddress;
    }

    public String deviceId() {
        return deviceId;
    }

    public Session session() {
        return session;
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    DeviceFacts lastFacts() {
        return lastFacts;
    }

    Instant lastFactsAt() {
        return lastFactsAt;
    }

    void lastFacts(DeviceFacts facts, Instant at) {
        this.lastFacts = facts;
        this.lastFactsAt = at;
    }

    public void heard() {
        liveness.heard();
    }

    public boolean silentLongerThan(Duration limit) {
        return liveness.silentLongerThan(limit);
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    /**
     * Jetty queues concurrent text sends in order, so callers need no lock. A send past the byte cap
     * drops the connection (no close frame: it would queue behind the rest) instead of queueing more.
     */
    public void send(ControlMessage message) {
        if (!session.isOpen()) {
            return;
        }
        String text = ControlCodec.encode(message);
        long bytes = text.length();
        if (!outbound.tryReserve(bytes)) {
            log.warn("device {} does not read its control link ({} bytes queued); dropping it", deviceId, outbound.queued());
            abort();
            return;
        }
        session.sendText(text, Callback.from(() -> outbound.release(bytes), failure -> outbound.release(bytes)));
    }

    public long queuedBytes() {
        return outbound.queued();
    }

    public void close(int code, String reason) {
        if (session.isOpen()) {
            session.close(code, reason, Callback.NOOP);
        }
    }

    /** Drops the TCP connection without a close handshake (for peers that stopped answering). */
    public void abort() {
        session.disconnect();
    }
}
