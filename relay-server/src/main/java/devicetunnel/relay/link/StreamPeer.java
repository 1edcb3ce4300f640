package devicetunnel.relay.link;

import devicetunnel.protocol.BinarySink;
import java.nio.ByteBuffer;

/**
 * The user side of a device stream: the relay's own SSH client (over the stream itself) or an
 * operator's raw websocket. It receives the device's bytes and a sink for sending bytes back.
 */
public interface StreamPeer {
    /** The device stream is connected; {@code toDevice} carries bytes to it. */
    void paired(BinarySink toDevice);

    /** Bytes from the device. May block: that is how the device is slowed down. */
    void fromDevice(ByteBuffer data);

    /** The device side went away (normal end, agent gone, or link lost). */
    void deviceClosed(String reason);
}
