package devicetunnel.relay.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a gzip-compressed asciicast file while it is written, like {@code tail -f}: the writer
 * sync-flushes its compressor, so every flushed event can be inflated from the bytes on disk; a
 * plain {@code GZIPInputStream} stops at the first end of data, so this drives an {@link Inflater}
 * by hand and waits for more. Reads the file only (any relay sharing the directory can follow a
 * session another relay records).
 */
final class CastTail {
    /** How often a file that has not grown is looked at again; the writer flushes about once a second. */
    static final long POLL_MILLIS = 200;
    private static final int GZIP_HEADER = 10; // what GZIPOutputStream writes: no name, comment or extra field

    private final Path file;
    private final BooleanSupplier ended;

    /** {@code ended}: whether the recording is complete (then what is in the file is all there will be). */
    CastTail(Path file, BooleanSupplier ended) {
        this.file = file;
        this.ended = ended;
    }

    void follow(CastLines lines) throws IOException, InterruptedException {
        Inflater inflater = new Inflater(true);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer compressed = ByteBuffer.allocate(16 * 1024);
            byte[] plain = new byte[64 * 1024];
            LineSplitter split = new LineSplitter(lines);
            long position = GZIP_HEADER;
            while (!inflater.finished()) {
                boolean wasEnded = ended.getAsBoolean(); // read before the file: what follows was all flushed
                compressed.clear();
                int n = in.read(compressed, position);
                if (n > 0) {
                    position += n;
                    inflater.setInput(compressed.array(), 0, n);
                    int m;
                    while ((m = inflate(inflater, plain)) > 0) {
                        split.feed(plain, m);
                    }
                } else if (wasEnded) {
                    return;
                } else {
                    lines.waiting();
                    Thread.sleep(POLL_MILLIS);
                }
            }
        } finally {
            inflater.end();
        }
    }

    private static int inflate(Inflater inflater, byte[] out) throws IOException {
        try {
            return inflater.inflate(out);
        } catch (DataFormatException e) {
            throw new IOException("the recording is damaged: " + e.getMessage(), e);
        }
    }

    /** Cuts inflated bytes into lines; a line waits for its line feed. */
    private static final class LineSplitter {
        private final CastLines lines;
        private byte[] held = new byte[4096];
        private int heldLength;

        LineSplitter(CastLines lines) {
            this.lines = lines;
        }

        void feed(byte[] data, int length) throws IOException {
            for (int i = 0; i < length; i++) {
                if (data[i] == '\n') {
                    lines.line(new String(held, 0, heldLength, StandardCharsets.UTF_8));
                    heldLength = 0;
                } else {
                    if (heldLength == held.length) {
                        held = java.util.Arrays.copyOf(held, held.length * 2);
                    }
                    held[heldLength++] = data[i];
                }
            }
        }
    }
}
