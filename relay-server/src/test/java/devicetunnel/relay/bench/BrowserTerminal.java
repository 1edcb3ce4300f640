package devicetunnel.relay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The terminal websocket as Chromium opens it: it offers {@code permessage-deflate;
 * client_max_window_bits} (or nothing, to compare), acknowledges output as the web UI does (bytes
 * rendered since the last ack, one ack in flight), and keeps no output. The JDK's client cannot
 * offer extensions, so this is Jetty's. {@link #wireBytesReceived()} reads what crossed the socket
 * from the kernel ({@code ss}), compressed or not.
 */
final class BrowserTerminal implements Terminal {
    static final String CHROMIUM_OFFER = "permessage-deflate; client_max_window_bits";

    private final OutputWatcher output = new OutputWatcher();
    private final CompletableFuture<String> sessionId = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private Session session;
    private long pendingAck;
    private boolean ackInFlight;

    static BrowserTerminal open(WebSocketClient client, URI uri, String token, boolean offerDeflate) throws Exception {
        BrowserTerminal terminal = new BrowserTerminal();
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        request.setHeader("Authorization", "Bearer " + token);
        if (offerDeflate) {
            request.addExtensions(CHROMIUM_OFFER);
        }
        terminal.session = client.connect(terminal.listener(), request).get(20, TimeUnit.SECONDS);
        return terminal;
    }

    CompletableFuture<String> session() {
        return sessionId;
    }

    /** The extensions the relay accepted (empty when it declined the offer). */
    String negotiated() {
        return String.join(",", session.getUpgradeResponse().getHeaders("Sec-WebSocket-Extensions"));
    }

    @Override
    public OutputWatcher output() {
        return output;
    }

    @Override
    public void type(byte[] keys) {
        session.sendBinary(ByteBuffer.wrap(keys), Callback.NOOP);
    }

    private void ack(int bytes) {
        long n;
        synchronized (this) {
            pendingAck += bytes;
            if (ackInFlight) {
                return;
            }
            ackInFlight = true;
            n = pendingAck;
            pendingAck = 0;
        }
        session.sendText("{\"type\":\"ack\",\"bytes\":" + n + "}", Callback.from(this::acked, e -> acked()));
    }

    private void acked() {
        long n;
        synchronized (this) {
            if (pendingAck == 0) {
                ackInFlight = false;
                return;
            }
            n = pendingAck;
            pendingAck = 0;
        }
        session.sendText("{\"type\":\"ack\",\"bytes\":" + n + "}", Callback.from(this::acked, e -> acked()));
    }

    /** Bytes the kernel delivered on this websocket's socket (TCP payload, so frames as sent). */
    long wireBytesReceived() throws IOException, InterruptedException {
        int port = ((InetSocketAddress) session.getLocalSocketAddress()).getPort();
        Process ss = new ProcessBuilder("ss", "-tinH", "src", "127.0.0.1:" + port).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes());
        ss.waitFor(10, TimeUnit.SECONDS);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes_received:(\\d+)").matcher(out);
        if (!m.find()) {
            throw new IOException("ss shows no bytes_received for port " + port + ": " + out);
        }
        return Long.parseLong(m.group(1));
    }

    private Session.Listener listener() {
        return new Listener(this);
    }

    /** Public: Jetty reaches listener methods through method handles. */
    public static final class Listener implements Session.Listener.AutoDemanding {
        private final BrowserTerminal terminal;

        Listener(BrowserTerminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public void onWebSocketBinary(ByteBuffer data, Callback callback) {
            int n = data.remaining();
            terminal.output.accept(data);
            callback.succeed();
            terminal.ack(n);
        }

        @Override
        public void onWebSocketText(String text) {
            terminal.control(text);
        }

        @Override
        public void onWebSocketClose(int status, String reason, Callback callback) {
            terminal.finish(status);
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            terminal.finish(1006);
        }
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

    /** Ends the shell, not just this websocket. */
    @Override
    public void close() {
        session.sendText("{\"type\":\"close\"}", Callback.NOOP);
        try {
            closed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        session.disconnect();
    }
}
