package devicetunnel.relay.ssh;

import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.StreamIoSession;
import devicetunnel.relay.link.StreamPeer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The relay's end of one device stream as its SSH client sees it: the device's websocket frames go
 * straight into the client's {@link StreamIoSession} (in Jetty's thread, so a busy client slows the
 * device down), and the session's packets go out on the websocket. The device's SSH server speaks
 * first (its version line), possibly before the client's session exists; those few bytes wait here.
 */
final class DeviceStream implements StreamPeer {
    /** The server's version line and key-exchange offer; a device sending more unasked is broken. */
    private static final int MAX_EARLY_BYTES = 64 * 1024;

    private final String deviceId;
    private final CompletableFuture<String> closedReason = new CompletableFuture<>();
    private volatile BinarySink toDevice;
    private volatile StreamIoSession session;
    private ByteArrayOutputStream early = new ByteArrayOutputStream(); // guarded by this until attached

    DeviceStream(String deviceId) {
        this.deviceId = deviceId;
    }

    String deviceId() {
        return deviceId;
    }

    @Override
    public void paired(BinarySink sink) {
        toDevice = sink;
    }

    /** Where the SSH client's packets go; set once the device's websocket is paired. */
    BinarySink toDevice() {
        return toDevice;
    }

    /**
     * Joins the SSH client's transport session: it gets what the device already sent, then the rest.
     * MINA decodes outside this stream's lock (decoding calls out); frames that arrive meanwhile wait
     * in {@link #early} and go next, so the order holds.
     */
    void attach(StreamIoSession ssh) {
        byte[] pending;
        while ((pending = settle(ssh)) != null && pending.length > 0) {
            ssh.received(ByteBuffer.wrap(pending));
        }
        if (pending == null) {
            ssh.peerClosed();
        }
    }

    /** The bytes to hand over first, an empty array once {@code ssh} is set, or null when the device has gone. */
    private synchronized byte[] settle(StreamIoSession ssh) {
        if (closedReason.isDone()) {
            return null;
        }
        byte[] pending = early.toByteArray();
        early.reset();
        if (pending.length == 0) {
            early = null;
            session = ssh;
        }
        return pending;
    }

    @Override
    public void fromDevice(ByteBuffer data) {
        StreamIoSession ssh = session;
        if (ssh == null) {
            boolean overflow;
            synchronized (this) {
                ssh = session;
                overflow = ssh == null && !keepEarly(data);
            }
            if (overflow) {
                close();
            }
            if (ssh == null) {
                return;
            }
        }
        ssh.received(data);
    }

    /** Holds bytes that came before the client's session; false when that is too much. Called with the lock held. */
    private boolean keepEarly(ByteBuffer data) {
        if (early.size() + data.remaining() > MAX_EARLY_BYTES) {
            return false;
        }
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        early.writeBytes(bytes);
        return true;
    }

    @Override
    public void deviceClosed(String reason) {
        closedReason.complete(reason);
        StreamIoSession ssh;
        synchronized (this) {
            ssh = session;
        }
        if (ssh != null) {
            ssh.peerClosed();
        }
    }

    /** Why the device side ended, once it has. */
    CompletableFuture<String> closedReason() {
        return closedReason;
    }

    /** Ends the stream: the SSH transport and the device's websocket. */
    void close() {
        StreamIoSession ssh = session;
        if (ssh != null) {
            ssh.close(true);
        }
        BinarySink sink = toDevice;
        if (sink != null) {
            sink.close();
        }
    }
}
