package devicetunnel.relay.fleet;

import devicetunnel.protocol.ByteRing;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One output stream (stdout or stderr) of one device's command, bounded in memory: the first
 * {@code headBytes} and the last {@link #TAIL_BYTES} are kept, whatever the command prints. The full
 * text says where bytes were dropped, so a download is never mistaken for the whole output.
 */
final class OutputCapture extends OutputStream {
    static final int TAIL_BYTES = 4096;
    static final int TAIL_LINES = 20;

    private final int headBytes;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final ByteRing tail = new ByteRing(TAIL_BYTES);
    private long total;

    OutputCapture(int headBytes) {
        this.headBytes = headBytes;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] data, int offset, int length) {
        int toHead = (int) Math.max(0, Math.min(length, headBytes - total));
        head.write(data, offset, toHead);
        tail.append(data, offset, length);
        total += length;
    }

    synchronized long totalBytes() {
        return total;
    }

    synchronized boolean truncated() {
        return total > headBytes + TAIL_BYTES;
    }

    /** The last {@link #TAIL_LINES} lines (at most {@link #TAIL_BYTES}), for tables and {@code --json}. */
    synchronized String tail() {
        String text = decode(tailBytes());
        String[] lines = text.split("\n", -1);
        int end = lines.length;
        if (end > 0 && lines[end - 1].isEmpty()) {
            end--; // the newline that ended the last line
        }
        int start = Math.max(0, end - TAIL_LINES);
        return String.join("\n", Arrays.copyOfRange(lines, start, end));
    }

    /** Everything kept; when bytes were dropped, a marker line in their place says how many. */
    synchronized String full() {
        if (total <= headBytes) {
            return decode(head.toByteArray());
        }
        byte[] kept = tailBytes();
        long dropped = total - headBytes - kept.length;
        if (dropped <= 0) { // head and tail overlap: everything is here once
            byte[] all = Arrays.copyOf(head.toByteArray(), (int) total);
            System.arraycopy(kept, kept.length - (int) (total - headBytes), all, headBytes, (int) (total - headBytes));
            return decode(all);
        }
        return decode(head.toByteArray()) + "\n[devtunnel: " + dropped + " bytes of output dropped here; "
                + total + " bytes in all, the first " + headBytes + " and the last " + kept.length + " kept]\n"
                + decode(kept);
    }

    private byte[] tailBytes() {
        return tail.from(tail.earliest()).bytes();
    }

    private static String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
