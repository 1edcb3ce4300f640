package devicetunnel.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Copies an input stream into a {@link BinarySink}, one chunk in flight at a time: the next read
 * happens only after the previous send completed, so a slow sink pushes back to the source
 * (Netty's HexDumpProxy pattern) and memory stays at one buffer per direction.
 */
public final class StreamPump {
    private StreamPump() {}

    /**
     * Runs until end of stream or error, then closes the sink. Returns the bytes copied.
     *
     * @param sendTimeoutMillis how long one send may stay pending before the peer counts as stuck
     */
    public static long copy(InputStream in, BinarySink sink, long sendTimeoutMillis) {
        byte[] buffer = new byte[Protocol.COPY_BUFFER_BYTES];
        ByteBuffer chunk = ByteBuffer.wrap(buffer);
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                // One buffer for the whole stream: the next read waits for the send to complete,
                // and a sink is done with the bytes by then (see BinarySink), so nothing is copied.
                chunk.clear().limit(n);
                sink.send(chunk).get(sendTimeoutMillis, TimeUnit.MILLISECONDS);
                total += n;
            }
        } catch (IOException | ExecutionException | TimeoutException e) {
            // Peer gone or stuck: the caller learns it from the sink closing.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sink.close();
        }
        return total;
    }
}
