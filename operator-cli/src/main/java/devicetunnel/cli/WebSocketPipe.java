package devicetunnel.cli;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pipes a byte stream through a websocket both ways, one chunk in flight per direction: the next
 * stdin read waits for the previous frame to be sent, and the next frame is requested only after
 * the previous one was written to stdout, so neither side can run ahead of the other.
 *
 * <p>Threads: owns {@code devtunnel-stdin} (stdin to the websocket); the other way runs on the JDK client's.
 */
final class WebSocketPipe {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final long SEND_TIMEOUT_SECONDS = 120;

    private final HttpClient http;
    private final URI uri;
    private final String token;
    /** Completes with the exit code once the relay closed the websocket. */
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();

    WebSocketPipe(HttpClient http, URI uri, String token) {
        this.http = http;
        this.uri = uri;
        this.token = token;
    }

    int run(InputStream in, OutputStream out) throws InterruptedException {
        WebSocket ws = connect(out);
        Thread upstream = new Thread(() -> pumpUp(in, ws), "devtunnel-stdin");
        upstream.setDaemon(true); // a blocked stdin read must not keep the process alive
        upstream.start();
        try {
            return closed.get();
        } catch (ExecutionException e) {
            System.err.println("devtunnel: connection to the relay failed: " + e.getCause().getMessage());
            return CliException.UNREACHABLE;
        }
    }

    private WebSocket connect(OutputStream out) throws InterruptedException {
        try {
            return http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .connectTimeout(CONNECT_TIMEOUT)
                    .buildAsync(uri, new Downstream(out))
                    .get(CONNECT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                throw RelayClient.refusal(refused.getResponse().statusCode(), null,
                        refused.getResponse().headers().firstValue("X-Devtunnel-Error").orElse(null));
            }
            throw Unreachable.of(uri, e.getCause());
        } catch (TimeoutException e) {
            throw new CliException(CliException.UNREACHABLE, "the relay did not answer in time");
        }
    }

    /** stdin -> websocket until ssh closes its end. */
    private void pumpUp(InputStream in, WebSocket ws) {
        byte[] buffer = new byte[Protocol.COPY_BUFFER_BYTES];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    ws.sendBinary(ByteBuffer.wrap(Arrays.copyOf(buffer, n)), true).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "client done").get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            ws.abort();
            closed.complete(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** websocket -> stdout; the relay's close ends the pipe. */
    private final class Downstream implements WebSocket.Listener {
        private final OutputStream out;

        Downstream(OutputStream out) {
            this.out = out;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            try {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                out.write(bytes);
                out.flush();
                ws.request(1);
            } catch (IOException e) {
                ws.abort(); // ssh went away
                closed.complete(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            ws.request(1); // the native stream carries binary frames only; nothing to do with text
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            if (statusCode != WebSocket.NORMAL_CLOSURE) {
                System.err.println("devtunnel: the relay closed the connection: " + describe(statusCode, reason));
            }
            closeQuietly(out);
            closed.complete(statusCode == WebSocket.NORMAL_CLOSURE ? 0 : exitCode(statusCode));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closeQuietly(out);
            closed.completeExceptionally(error);
        }
    }

    /** Close codes 4100-4599 carry the HTTP status (4502: device unreachable), 4001-4099 are named closes (ErrorCode). */
    static String describe(int statusCode, String reason) {
        String text = reason == null || reason.isBlank() ? "no reason given" : reason;
        if (ErrorCode.namedClose(statusCode).isPresent() || statusCode < 4000 || statusCode >= 5000) {
            return text + " (" + ErrorCode.describeClose(statusCode) + ")";
        }
        return text + " (HTTP " + (statusCode - 4000) + ")";
    }

    static int exitCode(int statusCode) {
        return statusCode == 4401 ? CliException.NOT_LOGGED_IN
                : statusCode >= 4500 && statusCode < 4600 ? CliException.UNREACHABLE : CliException.REFUSED;
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
