package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Someone's shared terminal session shown on this terminal, read-only: the relay's watch websocket,
 * its output bytes written to {@code out} as they come, what the relay says (who owns it, why it
 * ended) to {@code notes}. Answers the relay's pings; sends nothing else.
 */
final class TerminalWatch {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient http;
    private final URI uri;
    private final String token;
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();

    TerminalWatch(HttpClient http, URI uri, String token) {
        this.http = http;
        this.uri = uri;
        this.token = token;
    }

    /** Watches until the relay closes; returns the exit code (0: the session ended normally). */
    int run(OutputStream out, PrintWriter notes) throws InterruptedException {
        try {
            http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .connectTimeout(CONNECT_TIMEOUT)
                    .buildAsync(uri, new Listener(out, notes))
                    .get(CONNECT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                throw RelayClient.refusal(refused.getResponse().statusCode(), null);
            }
            throw Unreachable.of(uri, e.getCause());
        } catch (TimeoutException e) {
            throw new CliException(CliException.UNREACHABLE, "the relay did not answer in time");
        }
        try {
            return closed.get();
        } catch (ExecutionException e) {
            notes.println("devtunnel: connection to the relay failed: " + e.getCause().getMessage());
            return CliException.UNREACHABLE;
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final OutputStream out;
        private final PrintWriter notes;
        private final StringBuilder text = new StringBuilder();
        private volatile String error;

        Listener(OutputStream out, PrintWriter notes) {
            this.out = out;
            this.notes = notes;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            try {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                out.write(bytes);
                out.flush();
                socket.request(1);
            } catch (IOException e) {
                socket.abort(); // our terminal went away
                closed.complete(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                control(socket, text.toString());
                text.setLength(0);
            }
            socket.request(1);
            return null;
        }

        private void control(WebSocket socket, String json) {
            JsonNode message;
            try {
                message = MAPPER.readTree(json);
            } catch (IOException e) {
                return; // not ours to understand
            }
            switch (message.path("type").asText()) {
                case "ping" -> socket.sendText("{\"type\":\"pong\"}", true);
                case "session" -> notes.printf("[devtunnel] watching %s's session on %s, read-only; Ctrl-C to stop%n",
                        message.path("owner").asText(), message.path("deviceId").asText());
                case "typing" -> notes.println("[devtunnel] the owner lets you type; devtunnel watch is read-only, type in the console");
                case "error" -> error = message.path("message").asText();
                default -> { } // output gaps, exit status: the close says the rest
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            if (statusCode == WebSocket.NORMAL_CLOSURE) {
                notes.println("\r\n[devtunnel] the session ended");
            } else {
                notes.println("\r\ndevtunnel: " + (error != null ? error : WebSocketPipe.describe(statusCode, reason)));
            }
            closed.complete(statusCode == WebSocket.NORMAL_CLOSURE ? 0 : WebSocketPipe.exitCode(statusCode));
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable e) {
            closed.completeExceptionally(e);
        }
    }
}
