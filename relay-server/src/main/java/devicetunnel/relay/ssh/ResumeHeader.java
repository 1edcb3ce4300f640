package devicetunnel.relay.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The agent's answer to a resume, on the shell channel's stderr before any output:
 * {@code devtunnel-resumed <offset>\n}, where the replayed output starts (a PTY never writes to
 * stderr, so nothing else can come first).
 */
final class ResumeHeader {
    private static final String PREFIX = "devtunnel-resumed ";
    private static final int MAX_LINE = 64;

    private ResumeHeader() {}

    /** Reads the header within {@code timeout}; its offset. */
    static long read(InputStream stderr, Duration timeout) throws IOException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> readLine(stderr));
        String text;
        try {
            text = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the device did not confirm the resume in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while resuming");
        } catch (ExecutionException e) {
            throw new IOException("the device's resume answer could not be read", e.getCause());
        }
        return parse(text);
    }

    static long parse(String text) throws IOException {
        if (text != null && text.startsWith(PREFIX)) {
            try {
                long offset = Long.parseLong(text.substring(PREFIX.length()));
                if (offset >= 0) {
                    return offset;
                }
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw new IOException("the device answered the resume with something else than '" + PREFIX + "<offset>'");
    }

    private static String readLine(InputStream in) {
        byte[] line = new byte[MAX_LINE];
        int n = 0;
        try {
            int b;
            while (n < MAX_LINE && (b = in.read()) >= 0 && b != '\n') {
                line[n++] = (byte) b;
            }
        } catch (IOException e) {
            return null;
        }
        return new String(line, 0, n, StandardCharsets.US_ASCII);
    }
}
