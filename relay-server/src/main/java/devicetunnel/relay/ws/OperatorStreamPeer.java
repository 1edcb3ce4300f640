package devicetunnel.relay.ws;

import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.JettySink;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.link.StreamPeer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Joins an operator's raw websocket (OpenSSH through {@code devtunnel proxy}) to a device stream.
 * The relay only moves SSH ciphertext here. Each direction has one frame in flight: a send is
 * awaited before the receiving websocket thread returns, so Jetty reads no more from that side
 * until the other side took the bytes, and a slow end slows the fast one instead of filling memory.
 */
final class OperatorStreamPeer implements StreamPeer {
    private static final long SEND_TIMEOUT_MILLIS = 120_000;
    /** The SSH client speaks first (its version line); hold that little until the device is there. */
    private static final int MAX_EARLY_BYTES = 64 * 1024;

    private final JettySink toOperator;
    private final ByteArrayOutputStream early = new ByteArrayOutputStream();
    private final AtomicLong bytesToDevice = new AtomicLong();
    private final AtomicLong bytesFromDevice = new AtomicLong();
    private BinarySink toDevice;
    private boolean closed;

    OperatorStreamPeer(Session operator) {
        this.toOperator = new JettySink(operator, 1000, "device closed the connection");
    }

    /**
     * The device's stream is ready: what the operator sent before goes first, written outside the
     * lock (a send may call back into {@link #closeBoth}); bytes arriving meanwhile queue behind it.
     */
    @Override
    public void paired(BinarySink sink) {
        byte[] pending;
        while ((pending = settle(sink)) != null && pending.length > 0) {
            if (!await(sink, ByteBuffer.wrap(pending))) {
                closeBoth();
                return;
            }
            bytesToDevice.addAndGet(pending.length);
        }
        if (pending == null) {
            sink.close();
        }
    }

    /** The early bytes to send next, an empty array once {@code sink} takes the rest directly, or null when closed. */
    private synchronized byte[] settle(BinarySink sink) {
        if (closed) {
            return null;
        }
        byte[] pending = early.toByteArray();
        early.reset();
        if (pending.length == 0) {
            toDevice = sink;
        }
        return pending;
    }

    /** Bytes from the operator; blocks until the device stream took them. */
    void fromOperator(ByteBuffer data) {
        int n = data.remaining();
        BinarySink sink;
        synchronized (this) {
            if (closed) {
                return;
            }
            sink = toDevice;
            if (sink == null) {
                if (early.size() + n > MAX_EARLY_BYTES) {
                    throw new TunnelException(ErrorCode.PAYLOAD_TOO_LARGE, "Too much data before the device answered.");
                }
                byte[] bytes = new byte[n];
                data.get(bytes);
                early.writeBytes(bytes);
                return;
            }
        }
        if (await(sink, data)) {
            bytesToDevice.addAndGet(n);
        } else {
            closeBoth();
        }
    }

    @Override
    public void fromDevice(ByteBuffer data) {
        int n = data.remaining();
        if (await(toOperator, data)) {
            bytesFromDevice.addAndGet(n);
        } else {
            closeBoth();
        }
    }

    @Override
    public void deviceClosed(String reason) {
        closeBoth();
    }

    /** Either side ended: end the other. Idempotent. */
    void closeBoth() {
        BinarySink sink;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            sink = toDevice;
        }
        toOperator.close();
        if (sink != null) {
            sink.close();
        }
    }

    long bytesToDevice() {
        return bytesToDevice.get();
    }

    long bytesFromDevice() {
        return bytesFromDevice.get();
    }

    private static boolean await(BinarySink sink, ByteBuffer data) {
        try {
            sink.send(data).get(SEND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
