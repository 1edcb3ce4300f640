package devicetunnel.relay.webapp;

import devicetunnel.protocol.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;

/**
 * Reads the app's HTTP/1.1 response from the channel with Jetty's own parser (content-length,
 * chunked and close-delimited bodies alike): first the head ({@link #readHead}), then the body
 * streamed to the browser chunk by chunk ({@link #streamBody}): each chunk is written before the
 * next is read, so a slow browser holds the SSH window and the device waits.
 */
final class UpstreamResponse implements HttpParser.ResponseHandler {
    private final InputStream in;
    private final HttpParser parser;
    private final ByteBuffer buffer = ByteBuffer.allocate(Protocol.COPY_BUFFER_BYTES).flip();
    private final List<HttpField> headers = new ArrayList<>();
    private int status;
    private boolean headComplete;
    private boolean messageComplete;
    private boolean bad;
    private OutputStream body;

    UpstreamResponse(InputStream in, boolean headRequest) {
        this.in = in;
        this.parser = new HttpParser(this);
        parser.setHeadResponse(headRequest);
    }

    /** Parses up to the end of the head; false when the app closed or answered with something that is not HTTP. */
    boolean readHead() throws IOException {
        while (!headComplete && !bad) {
            if (!buffer.hasRemaining() && !fill()) {
                return false;
            }
            parser.parseNext(buffer);
        }
        return headComplete && !bad;
    }

    int status() {
        return status;
    }

    List<HttpField> headers() {
        return headers;
    }

    /** Copies the body to {@code out}, flushing each chunk (server-sent events and long polls stay live). */
    void streamBody(OutputStream out) throws IOException {
        this.body = out;
        try {
            while (!messageComplete && !bad) {
                if (buffer.hasRemaining()) {
                    parser.parseNext(buffer);
                } else if (!fill()) {
                    break;
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (bad) {
            throw new IOException("the app's response was cut short or malformed");
        }
    }

    /** Bytes already read past the head (the first websocket frames after a 101). */
    ByteBuffer leftover() {
        return buffer;
    }

    /** Reads more from the channel; at its end tells the parser (a close-delimited body ends there). */
    private boolean fill() throws IOException {
        buffer.clear();
        int n = in.read(buffer.array(), 0, buffer.capacity());
        if (n < 0) {
            buffer.limit(0);
            parser.atEOF();
            parser.parseNext(buffer);
            return false;
        }
        buffer.limit(n);
        return true;
    }

    @Override
    public void startResponse(HttpVersion version, int status, String reason) {
        this.status = status;
    }

    @Override
    public void parsedHeader(HttpField field) {
        headers.add(field);
    }

    @Override
    public boolean headerComplete() {
        headComplete = true;
        return true; // stop here: the servlet sets status and headers before any body byte
    }

    @Override
    public boolean content(ByteBuffer chunk) {
        try {
            if (chunk.hasArray()) {
                body.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
            } else {
                byte[] copy = new byte[chunk.remaining()];
                chunk.get(copy);
                body.write(copy);
            }
            chunk.position(chunk.limit());
            body.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return false;
    }

    @Override
    public boolean contentComplete() {
        return false;
    }

    @Override
    public boolean messageComplete() {
        messageComplete = true;
        return true;
    }

    @Override
    public void earlyEOF() {
        bad = true;
    }

    @Override
    public void badMessage(HttpException failure) {
        bad = true;
    }
}
