package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteRingTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(ByteRing.Slice slice) {
        return new String(slice.bytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void aReaderGetsWhatFollowedItsOffset() {
        ByteRing ring = new ByteRing(8);
        ring.append(bytes("hello"), 0, 5);
        assertThat(text(ring.from(2))).isEqualTo("llo");
        assertThat(ring.from(2).start()).isEqualTo(2);
        assertThat(text(ring.from(5))).isEmpty();
    }

    @Test
    void whenTheRingWrapsTheOldestBytesAreGoneAndTheSliceSaysWhereItStarts() {
        ByteRing ring = new ByteRing(8);
        ring.append(bytes("abcdefgh"), 0, 8);
        ring.append(bytes("ijk"), 0, 3);
        assertThat(ring.produced()).isEqualTo(11);
        assertThat(ring.earliest()).isEqualTo(3);
        ByteRing.Slice slice = ring.from(0);
        assertThat(slice.start()).isEqualTo(3);
        assertThat(text(slice)).isEqualTo("defghijk");
    }

    @Test
    void aWriteLargerThanTheRingKeepsItsTail() {
        ByteRing ring = new ByteRing(4);
        ring.append(bytes("0123456789"), 0, 10);
        assertThat(ring.produced()).isEqualTo(10);
        assertThat(text(ring.from(0))).isEqualTo("6789");
    }

    @Test
    void anOffsetFromTheFutureIsRefused() {
        ByteRing ring = new ByteRing(4);
        assertThatThrownBy(() -> ring.from(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
