package devicetunnel.relay.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches a terminal's output without keeping it: counts bytes, signals each chunk (for echo
 * timing) and finds one armed marker (for "command finished"). Fed by one thread at a time.
 */
final class OutputWatcher {
    private final AtomicLong received = new AtomicLong();
    private final Semaphore chunks = new Semaphore(0);
    private final CompletableFuture<Long> firstOutput = new CompletableFuture<>();
    private volatile Runnable onChunk;
    private volatile byte[] marker;
    private volatile CompletableFuture<Long> markerSeen;
    private int matched;

    void accept(ByteBuffer data) {
        int n = data.remaining();
        byte[] m = marker;
        if (m != null) {
            for (int i = data.position(); i < data.limit(); i++) {
                if (step(m, data.get(i))) {
                    break;
                }
            }
        }
        counted(n);
    }

    void accept(byte[] data, int offset, int length) {
        byte[] m = marker;
        if (m != null) {
            for (int i = offset; i < offset + length; i++) {
                if (step(m, data[i])) {
                    break;
                }
            }
        }
        counted(length);
    }

    private void counted(int n) {
        received.addAndGet(n);
        firstOutput.complete(System.nanoTime());
        chunks.release();
        Runnable r = onChunk;
        if (r != null) {
            r.run();
        }
    }

    /** Markers are chosen with no repeated first byte, so a plain prefix match is exact. */
    private boolean step(byte[] m, byte b) {
        if (b == m[matched]) {
            matched++;
        } else {
            matched = b == m[0] ? 1 : 0;
        }
        if (matched == m.length) {
            marker = null;
            matched = 0;
            markerSeen.complete(System.nanoTime());
            return true;
        }
        return false;
    }

    /** Arms the marker; the future completes with {@link System#nanoTime()} when it appears. */
    CompletableFuture<Long> expect(String text) {
        CompletableFuture<Long> seen = new CompletableFuture<>();
        matched = 0;
        markerSeen = seen;
        marker = text.getBytes(StandardCharsets.UTF_8);
        return seen;
    }

    long received() {
        return received.get();
    }

    CompletableFuture<Long> firstOutput() {
        return firstOutput;
    }

    void onChunk(Runnable listener) {
        onChunk = listener;
    }

    void drainChunks() {
        chunks.drainPermits();
    }

    boolean awaitChunk(long timeoutMillis) throws InterruptedException {
        return chunks.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
