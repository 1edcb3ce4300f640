package devicetunnel.relay.ws;

import devicetunnel.relay.ssh.TerminalViewer;
import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A browser websocket as a terminal viewer. Sends are asynchronous; the session's flow-control
 * window (acknowledged bytes) is what bounds Jetty's outgoing queue.
 */
final class JettyViewer implements TerminalViewer {
    private final Session session;

    JettyViewer(Session session) {
        this.session = session;
    }

    @Override
    public void sendOutput(ByteBuffer data) {
        if (session.isOpen()) {
            session.sendBinary(data, Callback.NOOP);
        }
    }

    @Override
    public void sendControl(String json) {
        if (session.isOpen()) {
            session.sendText(json, Callback.NOOP);
        }
    }

    @Override
    public void close(int code, String reason) {
        if (session.isOpen()) {
            session.close(code, reason, Callback.NOOP);
        }
    }
}
