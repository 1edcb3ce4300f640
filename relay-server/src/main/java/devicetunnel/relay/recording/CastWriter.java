package devicetunnel.relay.recording;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Writes one terminal session as an asciicast v2 file (the format asciinema, ShellHub and
 * Tailscale use), gzip-compressed and streamed: a JSON header line, then one JSON array per event
 * ({@code [seconds, "o", text]} output, {@code [seconds, "r", "COLSxROWS"]} resize, and
 * {@code [seconds, "i", text]} input when the session records it; input never goes to the transcript). Output bytes
 * are decoded as UTF-8 across event boundaries (a character split between two reads is kept for
 * the next), invalid bytes become U+FFFD as a terminal would show them. The printed text also goes
 * to the recording's {@link TranscriptWriter}, which is flushed and closed with the cast.
 *
 * <p>The compressor is sync-flushed to the file at most once per {@link #FLUSH_INTERVAL_NANOS},
 * so a crash of the relay loses at most the last second of a recording, and a reader of a file
 * still being written (or cut by a crash) gets every event up to the last flush; {@link #flushIfDue}
 * flushes a quiet session's last events. Not thread-safe
 * by itself: {@link SessionRecording} serialises the calls.
 */
final class CastWriter implements AutoCloseable {
    static final long FLUSH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final OutputStream out;
    private final TranscriptWriter transcript;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    /** Bytes of a UTF-8 character not complete yet (at most 3). */
    private ByteBuffer pending = ByteBuffer.allocate(0);
    /** Input has its own decoder: a key's bytes arrive in one frame, but output's pending bytes are not its. */
    private final CharsetDecoder inputUtf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private long lastFlushNanos;
    private long outputBytes;
    private boolean unflushed;

    /** Header fields beyond the required ones: {@code title} and {@code env}, plus our own in {@code devicetunnel}. */
    record Header(int width, int height, long timestampSeconds, String title, Map<String, String> env,
                  Map<String, String> devicetunnel) {}

    CastWriter(OutputStream file, Header header, TranscriptWriter transcript, LongSupplier nanoClock) throws IOException {
        this.out = new FastGzipOutputStream(new BufferedOutputStream(file, 16 * 1024), 8 * 1024);
        this.transcript = transcript;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastFlushNanos = startNanos;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", 2);
        fields.put("width", header.width());
        fields.put("height", header.height());
        fields.put("timestamp", header.timestampSeconds());
        fields.put("title", header.title());
        fields.put("env", header.env());
        fields.put("devicetunnel", header.devicetunnel());
        line(JSON.writeValueAsBytes(fields));
        flush();
    }

    void output(byte[] data, int offset, int length) throws IOException {
        outputBytes += length;
        ByteBuffer in = join(data, offset, length);
        CharBuffer text = CharBuffer.allocate(in.remaining() + 1);
        utf8.decode(in, text, false);
        pending = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
        text.flip();
        if (text.hasRemaining()) {
            String printed = text.toString();
            transcript.output(event("o", printed), printed);
        }
    }

    void input(byte[] keys) throws IOException {
        String typed = inputUtf8.decode(ByteBuffer.wrap(keys)).toString();
        if (!typed.isEmpty()) {
            event("i", typed);
        }
    }

    void resize(int cols, int rows) throws IOException {
        event("r", cols + "x" + rows);
    }

    /** A marker (asciicast "m"): something happened to the session, such as a watcher joining. */
    void marker(String label) throws IOException {
        event("m", label);
    }

    /** Terminal output bytes recorded so far (before compression). */
    long outputBytes() {
        return outputBytes;
    }

    private ByteBuffer join(byte[] data, int offset, int length) {
        if (!pending.hasRemaining()) {
            return ByteBuffer.wrap(data, offset, length);
        }
        return ByteBuffer.allocate(pending.remaining() + length).put(pending).put(data, offset, length).flip();
    }

    /** Writes one event; returns its time in seconds since the start. */
    private double event(String code, String text) throws IOException {
        double seconds = Math.round((nanoClock.getAsLong() - startNanos) / 1e3) / 1e6;
        line(JSON.writeValueAsBytes(List.of(seconds, code, text)));
        unflushed = true;
        flushIfDue();
        return seconds;
    }

    /** Flushes when events wait and the last flush was {@link #FLUSH_INTERVAL_NANOS} ago or more. */
    void flushIfDue() throws IOException {
        if (unflushed && nanoClock.getAsLong() - lastFlushNanos >= FLUSH_INTERVAL_NANOS) {
            flush();
        }
    }

    private void line(byte[] json) throws IOException {
        out.write(json);
        out.write('\n');
    }

    /** Pushes everything written so far through the compressor to the file. */
    void flush() throws IOException {
        lastFlushNanos = nanoClock.getAsLong();
        unflushed = false;
        out.flush();
        transcript.flush();
    }

    @Override
    public void close() throws IOException {
        if (pending.hasRemaining()) { // a character cut off by the end of the session
            event("o", "\uFFFD");
        }
        try {
            out.close();
        } finally {
            transcript.close();
        }
    }
}
