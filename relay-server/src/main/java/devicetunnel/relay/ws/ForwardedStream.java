package devicetunnel.relay.ws;

import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.JettySink;
import devicetunnel.relay.link.StreamPeer;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A device stream that reached this relay but belongs to a sibling: its bytes are carried, frame for
 * frame, over this relay's own websocket to the sibling's stream path. Each direction sends a frame
 * before taking the next, so a slow end slows the other down as on a direct stream. The sibling's
 * pings are answered here; the device's side is pinged by this relay's keepalive like any stream.
 * Public only because Jetty calls listener methods through a public method-handle lookup.
 */
public final class ForwardedStream implements StreamPeer, Session.Listener {
    private static final long SEND_TIMEOUT_MILLIS = 120_000;

    private volatile Session sibling;
    private volatile BinarySink toSibling;
    private volatile BinarySink toDevice;
    private volatile boolean siblingClosed;

    @Override
    public void onWebSocketOpen(Session session) {
        sibling = session; // nothing is demanded until the device's side is paired
        toSibling = new JettySink(session, 1000, "device stream closed");
    }

    @Override
    public void paired(BinarySink device) {
        toDevice = device;
        if (siblingClosed) {
            device.close(); // the sibling gave up while the device's upgrade was under way
        } else {
            sibling.demand();
        }
    }

    /** Device -> sibling, in the device socket's thread: blocking here slows the device down. */
    @Override
    public void fromDevice(ByteBuffer data) {
        try {
            toSibling.send(data).get(SEND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            endBoth();
        } catch (Exception e) {
            endBoth();
        }
    }

    @Override
    public void deviceClosed(String reason) {
        toSibling.close();
    }

    /** Sibling -> device: the next frame is demanded once this one is written. */
    @Override
    public void onWebSocketBinary(ByteBuffer data, Callback callback) {
        toDevice.send(data).whenComplete((ok, error) -> {
            if (error != null) {
                callback.fail(error);
                endBoth();
            } else {
                callback.succeed();
                sibling.demand();
            }
        });
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        sibling.sendPong(payload, Callback.NOOP); // a listener that sees pings answers them itself
        sibling.demand();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        sibling.demand();
    }

    @Override
    public void onWebSocketText(String message) {
        endBoth(); // streams carry binary only
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        siblingClosed = true;
        closeDevice();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        siblingClosed = true;
        closeDevice();
    }

    private void endBoth() {
        toSibling.close();
        closeDevice();
    }

    private void closeDevice() {
        BinarySink device = toDevice;
        if (device != null) {
            device.close();
        }
    }
}
