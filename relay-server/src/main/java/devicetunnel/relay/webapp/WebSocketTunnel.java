package devicetunnel.relay.webapp;

import devicetunnel.protocol.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A websocket inside a web app, after the app answered 101: Jetty hands the browser's connection
 * over to this (its HTTP/1.1 upgrade mechanism, as its own websocket server uses), and the
 * connection and the direct-tcpip channel are joined byte for byte. The relay does not parse frames:
 * the app and the browser negotiated subprotocol and extensions themselves. Each direction writes
 * before it reads again, so either side's slowness holds the other. When one ends, both end.
 */
final class WebSocketTunnel extends AbstractConnection {
    private static final Logger log = LoggerFactory.getLogger(WebSocketTunnel.class);
    private final ChannelDirectTcpip channel;
    private final ByteBuffer leftover;
    private final Executor pumps;
    private final OutputStream toDevice;
    private final ByteBuffer fromBrowser = ByteBuffer.allocate(Protocol.COPY_BUFFER_BYTES);

    /** {@code leftover}: bytes the head parser read past the 101 (the app's first frames). */
    WebSocketTunnel(EndPoint endPoint, Executor jetty, ChannelDirectTcpip channel, ByteBuffer leftover, Executor pumps) {
        super(endPoint, jetty);
        this.channel = channel;
        this.leftover = leftover;
        this.pumps = pumps;
        this.toDevice = channel.getInvertedIn();
    }

    @Override
    public void onOpen() {
        super.onOpen();
        pumps.execute(this::deviceToBrowser);
        fillInterested();
    }

    /** Browser to device: what the endpoint has, written (blocking) into the channel, then wait for more. */
    @Override
    public void onFillable() {
        try {
            while (true) {
                BufferUtil.clear(fromBrowser); // Jetty's flush mode: fill appends between position and limit
                int n = getEndPoint().fill(fromBrowser);
                if (n == 0) {
                    fillInterested();
                    return;
                }
                if (n < 0) {
                    close();
                    return;
                }
                toDevice.write(fromBrowser.array(), fromBrowser.arrayOffset() + fromBrowser.position(), fromBrowser.remaining());
                toDevice.flush();
            }
        } catch (IOException e) {
            log.debug("web app websocket ended (browser side): {}", e.toString());
            close();
        }
    }

    /** Device to browser, on a pump thread: each read written to the browser before the next. */
    private void deviceToBrowser() {
        try {
            if (leftover.hasRemaining()) {
                write(leftover);
            }
            InputStream in = channel.getInvertedOut();
            byte[] buffer = new byte[Protocol.COPY_BUFFER_BYTES];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    write(ByteBuffer.wrap(buffer, 0, n));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("web app websocket ended (device side): {}", e.toString());
        } finally {
            close();
        }
    }

    private void write(ByteBuffer bytes) throws IOException {
        FutureCallback written = new FutureCallback();
        getEndPoint().write(written, bytes);
        written.block();
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        channel.close(true);
    }
}
