package devicetunnel.relay.webapp;

import devicetunnel.protocol.Protocol;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A websocket inside a web app, after the app answered 101: the browser's connection and the
 * direct-tcpip channel are joined byte for byte, both ways. The relay does not parse frames: the
 * app and the browser negotiated subprotocol and extensions themselves. Blocking copies on two
 * pool threads, each writing before it reads again, so either side's slowness holds the other.
 * When one direction ends, both end.
 */
public final class WebSocketTunnel implements HttpUpgradeHandler {
    private static final Logger log = LoggerFactory.getLogger(WebSocketTunnel.class);
    private ChannelDirectTcpip channel;
    private ByteBuffer leftover;
    private Executor executor;
    private WebConnection connection;

    /** Called by the servlet before it returns: the channel and the bytes the head parser read past the 101. */
    void join(ChannelDirectTcpip channel, ByteBuffer leftover, Executor executor) {
        this.channel = channel;
        this.leftover = leftover;
        this.executor = executor;
    }

    @Override
    public void init(WebConnection wc) {
        this.connection = wc;
        try {
            InputStream fromBrowser = wc.getInputStream();
            OutputStream toBrowser = wc.getOutputStream();
            if (leftover.hasRemaining()) {
                toBrowser.write(leftover.array(), leftover.position(), leftover.remaining());
                toBrowser.flush();
            }
            executor.execute(() -> pump(fromBrowser, channel.getInvertedIn()));
            executor.execute(() -> pump(channel.getInvertedOut(), toBrowser));
        } catch (IOException | RuntimeException e) {
            log.debug("web app websocket could not start: {}", e.toString());
            destroy();
        }
    }

    private void pump(InputStream in, OutputStream out) {
        byte[] buffer = new byte[Protocol.COPY_BUFFER_BYTES];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            log.debug("web app websocket ended: {}", e.toString());
        } finally {
            destroy();
        }
    }

    @Override
    public void destroy() {
        if (channel != null) {
            channel.close(true);
        }
        WebConnection wc = connection;
        if (wc != null) {
            try {
                wc.close();
            } catch (Exception e) {
                log.debug("closing a web app websocket: {}", e.toString());
            }
        }
    }
}
