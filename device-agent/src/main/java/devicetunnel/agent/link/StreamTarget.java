package devicetunnel.agent.link;

import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.StreamIoSession;

/** What a stream leads to on the device: the SSH server, serving one connection over the stream. */
@FunctionalInterface
public interface StreamTarget {
    /** Starts serving a connection whose packets go to {@code toRelay}; the relay's bytes go to the result. */
    StreamIoSession serve(String streamId, BinarySink toRelay) throws Exception;
}
