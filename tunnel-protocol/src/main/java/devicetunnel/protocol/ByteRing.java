package devicetunnel.protocol;

/**
 * The most recent bytes of a stream, addressed by absolute offset (bytes since the stream began),
 * so a reader that saw the first N bytes can ask for what followed. Not thread-safe: its owner
 * guards it.
 */
public final class ByteRing {
    private final byte[] ring;
    private long produced;

    public ByteRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.ring = new byte[capacity];
    }

    public void append(byte[] data, int offset, int length) {
        if (length >= ring.length) { // only the tail can stay
            offset += length - ring.length;
            produced += length - ring.length;
            length = ring.length;
        }
        for (int i = 0; i < length; ) {
            int pos = (int) ((produced + i) % ring.length);
            int n = Math.min(length - i, ring.length - pos);
            System.arraycopy(data, offset + i, ring, pos, n);
            i += n;
        }
        produced += length;
    }

    /** Bytes written since the stream began. */
    public long produced() {
        return produced;
    }

    /** The oldest offset still held. */
    public long earliest() {
        return Math.max(0, produced - ring.length);
    }

    /** What followed {@code offset}, from the oldest byte still held if {@code offset} is older. */
    public Slice from(long offset) {
        if (offset < 0 || offset > produced) {
            throw new IllegalArgumentException("offset " + offset + " is outside 0.." + produced);
        }
        long start = Math.max(offset, earliest());
        byte[] bytes = new byte[(int) (produced - start)];
        for (int i = 0; i < bytes.length; ) {
            int pos = (int) ((start + i) % ring.length);
            int n = Math.min(bytes.length - i, ring.length - pos);
            System.arraycopy(ring, pos, bytes, i, n);
            i += n;
        }
        return new Slice(start, bytes);
    }

    /** {@code bytes} begin at absolute offset {@code start}. */
    public record Slice(long start, byte[] bytes) {}
}
