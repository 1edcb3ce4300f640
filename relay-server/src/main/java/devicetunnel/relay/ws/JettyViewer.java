package devicetunnel.relay.ws;

import devicetunnel.relay.ssh.TerminalViewer;
import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A browser websocket as a terminal viewer. Sends are asynchronous; the session counts what is
 * queued here (through the completion callback) and stops producing while too much is.
 */
final class JettyViewer implements TerminalViewer {
    private final Session session;

    JettyViewer(Session session) {
        this.session = session;
    }

    Session session() {
        return session;
    }

    @Override
    public void sendOutput(ByteBuffer data, Runnable written) {
        if (session.isOpen()) {
            session.sendBinary(data, Callback.from(written, failure -> written.run()));
        } else {
            written.run();
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
