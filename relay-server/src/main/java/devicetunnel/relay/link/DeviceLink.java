package devicetunnel.relay.link;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import java.time.Instant;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** One device's live control websocket, as seen by the relay. Its single writer is {@link #send}. */
public final class DeviceLink {
    private final String deviceId;
    private final Session session;
    private final String remoteAddress;
    private final Instant connectedAt = Instant.now();
    private volatile long lastHeardNanos = System.nanoTime();

    public DeviceLink(String deviceId, Session session, String remoteAddress) {
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

    public void heard() {
        lastHeardNanos = System.nanoTime();
    }

    public long silentNanos() {
        return System.nanoTime() - lastHeardNanos;
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    /** Jetty queues concurrent text sends in order, so callers need no lock. */
    public void send(ControlMessage message) {
        if (session.isOpen()) {
            session.sendText(ControlCodec.encode(message), Callback.NOOP);
        }
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
