package devicetunnel.protocol;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** One side of a stream: a websocket. The future completes when the bytes are handed off. */
public interface BinarySink {
    /**
     * Sends {@code data}. The sink must be done with the buffer when the future completes (written
     * or copied): callers reuse it for the next chunk.
     */
    CompletableFuture<Void> send(ByteBuffer data);

    /** Closes the sink; the peer sees end of stream. Idempotent. */
    void close();
}
