package devicetunnel.relay.ssh;

/**
 * A terminal session's output accounting: a ring of the most recent output (for resuming after a
 * dropped browser) and two flow-control limits. The producer waits while more than
 * {@code highWatermark} bytes are unacknowledged by the browser, or while more than
 * {@code sendQueueLimit} bytes sit in the websocket's send queue (a client that acknowledges but
 * does not read its socket must not grow the relay's queue). So a slow, stalled or lying browser
 * stops the relay reading SSH, and SSH windows stop the device's PTY. The ring is larger than the
 * watermark, so every unacknowledged byte can still be replayed. The ring starts small and grows
 * to its full size only when the output does: most sessions print far less than a megabyte.
 */
final class OutputBuffer {
    private static final int INITIAL_RING_BYTES = 16 * 1024;

    private final int ringCapacity;
    private byte[] ring;
    private final long highWatermark;
    private final long sendQueueLimit;
    private long produced;
    private long acked;
    private long queued;
    private int transport;
    private boolean closed;
    /**
     * Output offset this buffer starts at: 0 for a new shell; where the device's replay began for a
     * session resumed through the device. Counters below are relative to it.
     */
    private final long base;

    OutputBuffer(int ringBytes, int highWatermark, int sendQueueLimit) {
        this(ringBytes, highWatermark, sendQueueLimit, 0);
    }

    OutputBuffer(int ringBytes, int highWatermark, int sendQueueLimit, long base) {
        this.base = base;
        if (ringBytes < highWatermark) {
            throw new IllegalArgumentException("replay ring must hold at least the high watermark");
        }
        if (highWatermark <= 0 || sendQueueLimit <= 0) {
            throw new IllegalArgumentException("flow-control limits must be positive");
        }
        this.ringCapacity = ringBytes;
        this.ring = new byte[Math.min(ringBytes, INITIAL_RING_BYTES)];
        this.highWatermark = highWatermark;
        this.sendQueueLimit = sendQueueLimit;
    }

    /** Whether {@link #awaitRoom()} would return at once. */
    synchronized boolean hasRoom() {
        return closed || (produced - acked < highWatermark && queued < sendQueueLimit);
    }

    /** Blocks until the browser has acknowledged enough and the send queue has drained; false once closed. */
    synchronized boolean awaitRoom() throws InterruptedException {
        while (!closed && (produced - acked >= highWatermark || queued >= sendQueueLimit)) {
            wait();
        }
        return !closed;
    }

    synchronized void append(byte[] data, int offset, int length) {
        growFor(length);
        for (int i = 0; i < length; ) {
            int pos = (int) ((produced + i) % ring.length);
            int n = Math.min(length - i, ring.length - pos);
            System.arraycopy(data, offset + i, ring, pos, n);
            i += n;
        }
        produced += length;
    }

    /**
     * Makes room for {@code length} more bytes before the ring would wrap. Until it reaches its
     * capacity the ring has never wrapped, so its bytes keep their positions in the larger array.
     */
    private void growFor(long length) {
        if (ring.length < ringCapacity && produced + length > ring.length) {
            long wanted = Math.max(2L * ring.length, produced + length);
            ring = java.util.Arrays.copyOf(ring, (int) Math.min(ringCapacity, wanted));
        }
    }

    /** The browser rendered {@code bytes} more bytes. Bogus values cannot open the window past what was sent. */
    synchronized void ack(long bytes) {
        if (bytes > 0) {
            acked = Math.min(produced, acked + bytes);
            notifyAll();
        }
    }

    /**
     * A new viewer (or none) takes over: what the old socket still had queued is its own business.
     * Returns the token that {@link #written} calls for the new viewer must carry.
     */
    synchronized int newTransport() {
        queued = 0;
        notifyAll();
        return ++transport;
    }

    /** {@code bytes} were handed to the transport of viewer {@code token}. */
    synchronized void queued(int token, int bytes) {
        if (token == transport) {
            queued += bytes;
        }
    }

    /** The transport of viewer {@code token} wrote (or dropped) {@code bytes}. */
    synchronized void written(int token, int bytes) {
        if (token == transport) {
            queued = Math.max(0, queued - bytes);
            notifyAll();
        }
    }

    /** Output bytes of the session so far (absolute: what a browser's offset counts). */
    synchronized long produced() {
        return base + produced;
    }

    synchronized long unacknowledged() {
        return produced - acked;
    }

    synchronized long sendQueued() {
        return queued;
    }

    /** What the ring holds allocated now (it grows with the output, up to its capacity). */
    synchronized int ringBytes() {
        return ring.length;
    }

    /** What a client that has seen {@code offset} bytes is missing; resets the window to it. */
    synchronized Replay replayFrom(long absoluteOffset) {
        if (absoluteOffset < 0 || absoluteOffset > base + produced) {
            throw new IllegalArgumentException("offset outside the session's output");
        }
        long lostBeforeBase = Math.max(0, base - absoluteOffset);
        long offset = Math.max(0, absoluteOffset - base);
        long earliest = Math.max(0, produced - ring.length);
        long from = Math.max(offset, earliest);
        byte[] bytes = new byte[(int) (produced - from)];
        for (int i = 0; i < bytes.length; ) {
            int pos = (int) ((from + i) % ring.length);
            int n = Math.min(bytes.length - i, ring.length - pos);
            System.arraycopy(ring, pos, bytes, i, n);
            i += n;
        }
        acked = from;
        notifyAll();
        return new Replay(lostBeforeBase + from - offset, bytes);
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** {@code gap} bytes are lost for good; {@code bytes} follow them. */
    record Replay(long gap, byte[] bytes) {}
}
