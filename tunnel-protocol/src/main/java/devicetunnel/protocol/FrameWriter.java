package devicetunnel.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Writes received websocket frames to a blocking stream without a fresh array per frame: heap
 * buffers are written in place, direct ones through one reused scratch array. One writer per
 * stream, used by one thread at a time (websocket deliveries are serial per connection).
 */
public final class FrameWriter {
    private final OutputStream out;
    private byte[] scratch;

    public FrameWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes all remaining bytes of {@code data} and consumes them. */
    public void write(ByteBuffer data) throws IOException {
        if (data.hasArray()) {
            out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
            data.position(data.limit());
            return;
        }
        if (scratch == null) {
            scratch = new byte[Protocol.COPY_BUFFER_BYTES];
        }
        while (data.hasRemaining()) {
            int n = Math.min(scratch.length, data.remaining());
            data.get(scratch, 0, n);
            out.write(scratch, 0, n);
        }
    }
}
