package devicetunnel.relay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A lean browser stand-in on the terminal websocket. It acknowledges output the way the web UI does
 * with xterm.js (bytes rendered since the last ack), coalescing acks while one is still being sent,
 * and keeps no output, so it can take a flood without becoming the bottleneck.
 */
final class RelayTerminal implements Terminal {
    private final OutputWatcher output = new OutputWatcher();
    private final CompletableFuture<String> sessionId = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private WebSocket socket;
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
    private long pendingAck;
    private boolean ackQueued;

    static RelayTerminal open(HttpClient http, URI uri, String token) throws Exception {
        RelayTerminal terminal = new RelayTerminal();
        terminal.socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .buildAsync(uri, terminal.listener()).get(20, TimeUnit.SECONDS);
        return terminal;
    }

    /** Completes with the session id once the relay says the shell is open. */
    CompletableFuture<String> session() {
        return sessionId;
    }

    @Override
    public OutputWatcher output() {
        return output;
    }

    @Override
    public void type(byte[] keys) {
        enqueue(() -> socket.sendBinary(ByteBuffer.wrap(keys), true));
    }

    private void ack(int bytes) {
        synchronized (this) {
            pendingAck += bytes;
            if (ackQueued) {
                return;
            }
            ackQueued = true;
        }
        enqueue(() -> {
            long n;
            synchronized (this) {
                n = pendingAck;
                pendingAck = 0;
                ackQueued = false;
            }
            return socket.sendText("{\"type\":\"ack\",\"bytes\":" + n + "}", true);
        });
    }

    /** The JDK websocket allows one send at a time: chain them. */
    private synchronized void enqueue(Supplier<CompletableFuture<WebSocket>> send) {
        sendTail = sendTail.handle((r, e) -> null).thenCompose(v -> send.get());
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                int n = data.remaining();
                output.accept(data);
                ack(n);
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    control(text.toString());
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                finish(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                finish(1006);
            }
        };
    }

    private void control(String json) {
        try {
            JsonNode message = Json.MAPPER.readTree(json);
            String type = message.path("type").asText();
            if (type.equals("session")) {
                sessionId.complete(message.path("id").asText());
            } else if (type.equals("error")) {
                sessionId.completeExceptionally(new IllegalStateException("relay refused: " + json));
            }
        } catch (Exception e) {
            sessionId.completeExceptionally(e);
        }
    }

    private void finish(int code) {
        closed.complete(code);
        sessionId.completeExceptionally(new IllegalStateException("closed with " + code));
    }

    /** Ends the shell (not just this websocket, which would leave it waiting for a resume). */
    @Override
    public void close() {
        enqueue(() -> socket.sendText("{\"type\":\"close\"}", true));
        try {
            closed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        socket.abort();
    }
}
