package devicetunnel.relay.recording;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The searchable side of a recording: the plain text a session printed ({@link TerminalText}), one
 * gzip-compressed line per printed line, {@code <seconds>\t<text>}, next to the asciicast file.
 * Flushed together with it, so a search finds what a running session printed up to a second ago.
 */
final class TranscriptWriter implements AutoCloseable {
    private final OutputStream out;
    private final TerminalText text = new TerminalText(this::line);

    TranscriptWriter(OutputStream file) throws IOException {
        this.out = new FastGzipOutputStream(new BufferedOutputStream(file, 8 * 1024), 4 * 1024);
    }

    void output(double seconds, String printed) throws IOException {
        text.feed(seconds, printed);
    }

    private void line(double seconds, String line) throws IOException {
        out.write((Math.round(seconds * 1000) / 1000.0 + "\t" + line.replace('\t', ' ') + "\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            text.finish();
        } finally {
            out.close();
        }
    }
}
