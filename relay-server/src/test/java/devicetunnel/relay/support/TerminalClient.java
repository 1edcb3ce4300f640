package devicetunnel.relay.support;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Talks to the terminal websocket the way the web UI does: binary keystrokes out, binary output in
 * (acknowledged as it arrives, like xterm.js after rendering), JSON control messages both ways,
 * relay pings answered with pongs. Tests can stall it (no acks, or no reading at all) and keep only
 * the tail of a flood.
 */
public final class TerminalClient implements AutoCloseable {
    /** One client for all terminals: a JDK HttpClient per connection would leave a selector thread until GC. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final List<JsonNode> controls = new ArrayList<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private volatile boolean autoAck = true;
    private volatile boolean answerPings = true;
    private volatile boolean reading = true;
    private volatile int keepTail;
    private final java.util.concurrent.atomic.AtomicInteger pongs = new java.util.concurrent.atomic.AtomicInteger();
    private WebSocket socket;
    private CompletableFuture<WebSocket> sendChain = CompletableFuture.completedFuture(null);
    private long received;

    public static TerminalClient connect(URI uri, String token) throws Exception {
        return connect(HTTP, uri, token);
    }

    public static TerminalClient connect(HttpClient http, URI uri, String token) throws Exception {
        WebSocket.Builder builder = http.newWebSocketBuilder();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return connect(builder, uri);
    }

    /** Connects with a builder the caller prepared (extra headers, subprotocols). */
    public static TerminalClient connect(WebSocket.Builder builder, URI uri) throws Exception {
        TerminalClient client = new TerminalClient();
        client.socket = builder.buildAsync(uri, client.listener()).get(10, TimeUnit.SECONDS);
        return client;
    }

    /** The HTTP status the upgrade was refused with, or -1 when it was accepted. */
    public static int refusedStatus(WebSocket.Builder builder, URI uri) throws Exception {
        try {
            connect(builder, uri).close();
            return -1;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }

    /** The HTTP status the upgrade was refused with, or -1 when it was accepted. */
    public static int refusedStatus(URI uri, String token) throws Exception {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return refusedStatus(builder, uri);
    }

    /** Output has a line that is exactly {@code line} (a command's result, not its echo). */
    public static Predicate<String> hasLine(String line) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("(^|[\\r\\n])" + java.util.regex.Pattern.quote(line) + "\\r?\\n");
        return out -> p.matcher(out).find();
    }

    public void setAutoAck(boolean on) {
        autoAck = on;
    }

    /** Whether JSON pings from the relay get a pong (a client that never answered is not liveness-checked). */
    public void setAnswerPings(boolean on) {
        answerPings = on;
    }

    /** Keep only about the last {@code bytes} of output (floods); {@link #received()} still counts everything. */
    public synchronized void keepTail(int bytes) {
        keepTail = bytes;
    }

    /** Stop reading the socket altogether: the relay's writes back up into its send queue. */
    public void pauseReading() {
        reading = false;
    }

    public void resumeReading() {
        if (!reading) {
            reading = true;
            socket.request(1);
        }
    }

    /** JSON pings from the relay answered so far. */
    public int pongsSent() {
        return pongs.get();
    }

    /** The id from the relay's first message. */
    public String awaitSessionId(Duration timeout) throws InterruptedException {
        return awaitControl("session", timeout).get("id").asText();
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                int n = data.remaining();
                byte[] bytes = new byte[n];
                data.get(bytes);
                synchronized (TerminalClient.this) {
                    output.writeBytes(bytes);
                    received += n;
                    if (keepTail > 0 && output.size() > 2 * keepTail) {
                        byte[] all = output.toByteArray();
                        output.reset();
                        output.write(all, all.length - keepTail, keepTail);
                    }
                    TerminalClient.this.notifyAll();
                }
                if (autoAck) {
                    send(w -> w.sendText("{\"type\":\"ack\",\"bytes\":" + n + "}", true));
                }
                if (reading) {
                    ws.request(1);
                }
                return null;
            }

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    try {
                        JsonNode node = Json.MAPPER.readTree(text.toString());
                        if ("ping".equals(node.path("type").asText())) {
                            if (answerPings) {
                                pongs.incrementAndGet();
                                send(w -> w.sendText("{\"type\":\"pong\"}", true));
                            }
                        } else {
                            synchronized (TerminalClient.this) {
                                controls.add(node);
                                TerminalClient.this.notifyAll();
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException("server sent bad JSON: " + text, e);
                    }
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closeCode.complete(statusCode);
                synchronized (TerminalClient.this) {
                    TerminalClient.this.notifyAll();
                }
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closeCode.complete(1006);
                synchronized (TerminalClient.this) {
                    TerminalClient.this.notifyAll();
                }
            }
        };
    }

    /** The JDK allows one outstanding send at a time: chain them. */
    private synchronized CompletableFuture<WebSocket> send(java.util.function.Function<WebSocket, CompletableFuture<WebSocket>> op) {
        CompletableFuture<WebSocket> next = sendChain.handle((w, e) -> null).thenCompose(v -> op.apply(socket));
        sendChain = next;
        return next;
    }

    /** Sends one binary frame of {@code size} bytes (for size-limit tests). */
    public void sendBinary(int size) {
        send(w -> w.sendBinary(ByteBuffer.allocate(size), true)).exceptionally(e -> null).join();
    }

    public void type(String keys) {
        send(w -> w.sendBinary(ByteBuffer.wrap(keys.getBytes(StandardCharsets.UTF_8)), true)).join();
    }

    public void sendText(String json) {
        send(w -> w.sendText(json, true)).join();
    }

    public void resize(int cols, int rows) {
        sendText(Json.write(Map.of("type", "resize", "cols", cols, "rows", rows)));
    }

    public void ack(long bytes) {
        sendText("{\"type\":\"ack\",\"bytes\":" + bytes + "}");
    }

    public synchronized String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    public synchronized long received() {
        return received;
    }

    /** Waits (bounded) until the output so far satisfies the predicate; returns it. */
    public String awaitOutput(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!condition.test(output())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for terminal output; got:\n" + output());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return output();
        }
    }

    /** The types of the control messages received so far (pings aside), in order. */
    public synchronized java.util.List<String> controlTypes() {
        return controls.stream().map(c -> c.path("type").asText()).toList();
    }

    /** Waits for a control message of the given type. */
    public JsonNode awaitControl(String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                for (JsonNode c : controls) {
                    if (type.equals(c.path("type").asText())) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for '" + type + "'; got " + controls + " output:\n" + output());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /** Whether the relay (or the connection) closed this websocket already. */
    public boolean isClosed() {
        return closeCode.isDone();
    }

    public int awaitClose(Duration timeout) throws Exception {
        return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public WebSocket socket() {
        return socket;
    }

    /** Drops the connection without a close handshake, like a laptop going to sleep. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }
}
