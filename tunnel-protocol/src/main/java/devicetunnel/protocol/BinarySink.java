package devicetunnel.protocol;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** Where a pump writes: a websocket or a socket. The future completes when the bytes are handed off. */
public interface BinarySink {
    CompletableFuture<Void> send(ByteBuffer data);

    /** Closes the sink; the peer sees end of stream. Idempotent. */
    void close();
}
