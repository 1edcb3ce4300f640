package devicetunnel.protocol;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A Jetty websocket as a {@link BinarySink} (the relay's server sockets, the agent's stream client):
 * the future completes when Jetty has written the frame. Jetty queues frames in call order.
 */
public final class JettySink implements BinarySink {
    private final Session session;
    private final int closeCode;
    private final String closeReason;

    public JettySink(Session session, int closeCode, String closeReason) {
        this.session = session;
        this.closeCode = closeCode;
        this.closeReason = closeReason;
    }

    @Override
    public CompletableFuture<Void> send(ByteBuffer data) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!session.isOpen()) {
            done.completeExceptionally(new java.io.IOException("websocket closed"));
            return done;
        }
        session.sendBinary(data, Callback.from(() -> done.complete(null), done::completeExceptionally));
        return done;
    }

    @Override
    public void close() {
        if (session.isOpen()) {
            session.close(closeCode, closeReason, Callback.NOOP);
        }
    }
}
