package devicetunnel.agent.link;

import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;

/**
 * The single writer of the control link's JDK websocket: the JDK allows one outstanding send of each
 * kind, so sends are chained and each starts when the previous one finished.
 */
final class WebSocketSender {
    private final WebSocket socket;
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    WebSocketSender(WebSocket socket) {
        this.socket = socket;
    }

    synchronized CompletableFuture<Void> sendText(String text) {
        CompletableFuture<Void> next = tail.handle((r, e) -> null)
                .thenCompose(v -> socket.sendText(text, true)).thenApply(ws -> null);
        tail = next;
        return next;
    }

    synchronized void close(int code, String reason) {
        tail.handle((r, e) -> null).thenCompose(v -> socket.sendClose(code, reason))
                .whenComplete((ws, e) -> socket.abort());
    }
}
