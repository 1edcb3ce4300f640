package devicetunnel.relay.ssh;

/**
 * A terminal session's output accounting: a ring of the most recent output (for resuming after a
 * dropped browser) and the flow-control window. The producer waits while more than
 * {@code highWatermark} bytes are unacknowledged, so a slow or absent browser stops the relay
 * reading SSH, and SSH windows stop the device's PTY. The ring is larger than the watermark, so
 * every unacknowledged byte can still be replayed.
 */
final class OutputBuffer {
    private final byte[] ring;
    private final long highWatermark;
    private long produced;
    private long acked;
    private boolean closed;

    OutputBuffer(int ringBytes, int highWatermark) {
        if (ringBytes < highWatermark) {
            throw new IllegalArgumentException("replay ring must hold at least the high watermark");
        }
        this.ring = new byte[ringBytes];
        this.highWatermark = highWatermark;
    }

    /** Blocks until the browser has acknowledged enough; false once closed. */
    synchronized boolean awaitRoom() throws InterruptedException {
        while (!closed && produced - acked >= highWatermark) {
            wait();
        }
        return !closed;
    }

    synchronized void append(byte[] data, int offset, int length) {
        for (int i = 0; i < length; ) {
            int pos = (int) ((produced + i) % ring.length);
            int n = Math.min(length - i, ring.length - pos);
            System.arraycopy(data, offset + i, ring, pos, n);
            i += n;
        }
        produced += length;
    }

    /** The browser rendered {@code bytes} more bytes. Bogus values cannot open the window past what was sent. */
    synchronized void ack(long bytes) {
        if (bytes > 0) {
            acked = Math.min(produced, acked + bytes);
            notifyAll();
        }
    }

    synchronized long produced() {
        return produced;
    }

    synchronized long unacknowledged() {
        return produced - acked;
    }

    /** What a client that has seen {@code offset} bytes is missing; resets the window to it. */
    synchronized Replay replayFrom(long offset) {
        if (offset < 0 || offset > produced) {
            throw new IllegalArgumentException("offset outside the session's output");
        }
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
        return new Replay(from - offset, bytes);
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** {@code gap} bytes are lost for good; {@code bytes} follow them. */
    record Replay(long gap, byte[] bytes) {}
}
