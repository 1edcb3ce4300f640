package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FrameWriterTest {
    private final byte[] payload = new byte[3 * Protocol.COPY_BUFFER_BYTES + 17];

    FrameWriterTest() {
        new Random(3).nextBytes(payload);
    }

    @Test
    void writesOnlyTheRemainingBytesOfAHeapSlice() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer slice = ByteBuffer.wrap(payload, 5, 100).slice(); // arrayOffset 5
        slice.position(10);

        new FrameWriter(out).write(slice);

        assertThat(out.toByteArray()).isEqualTo(Arrays.copyOfRange(payload, 15, 105));
        assertThat(slice.hasRemaining()).isFalse();
    }

    @Test
    void copiesDirectBuffersLargerThanItsScratchArrayInFull() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out);
        ByteBuffer direct = ByteBuffer.allocateDirect(payload.length);
        direct.put(payload).flip();

        writer.write(direct);
        writer.write(ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip());

        byte[] written = out.toByteArray();
        assertThat(Arrays.copyOf(written, payload.length)).isEqualTo(payload);
        assertThat(Arrays.copyOfRange(written, payload.length, written.length)).containsExactly(1, 2, 3);
    }
}
