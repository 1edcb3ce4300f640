package devicetunnel.agent.link;

import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.FrameWriter;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.StreamPump;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For each stream the relay asks for: connects to the local SSH server, opens the stream websocket
 * with the one-time token and pumps bytes both ways. Relay-to-SSHD writes happen in the websocket
 * callback before more is requested, so a slow SSHD pushes back on the relay.
 */
public final class StreamConnector implements StreamOpener {
    private static final Logger log = LoggerFactory.getLogger(StreamConnector.class);
    private static final long SEND_TIMEOUT_MILLIS = 120_000;

    private final HttpClient http;
    private final RelayEndpoint relay;
    private final InetSocketAddress sshServer;
    private final ExecutorService executor;
    private final Duration connectTimeout;
    private final Consumer<ControlMessage> control;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier pingIntervalMillis;

    /**
     * @param pingIntervalMillis the relay's ping interval (from its welcome): a stream that hears
     *                           nothing for two intervals is dead (half-open) and gets closed, which
     *                           ends its SSH session on this device
     */
    public StreamConnector(HttpClient http, RelayEndpoint relay, InetSocketAddress sshServer,
                           ExecutorService executor, Duration connectTimeout, Consumer<ControlMessage> control,
                           ScheduledExecutorService scheduler, LongSupplier pingIntervalMillis) {
        this.http = http;
        this.relay = relay;
        this.sshServer = sshServer;
        this.executor = executor;
        this.connectTimeout = connectTimeout;
        this.control = control;
        this.scheduler = scheduler;
        this.pingIntervalMillis = pingIntervalMillis;
    }

    @Override
    public void open(String streamId, String token) {
        executor.execute(() -> {
            try {
                connect(streamId, token);
            } catch (Exception e) {
                log.warn("stream {} could not be opened: {}", streamId, e.toString());
                control.accept(new ControlMessage.StreamFailed(streamId, "agent could not open the stream"));
            }
        });
    }

    private void connect(String streamId, String token) throws Exception {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(sshServer, (int) connectTimeout.toMillis());
        try {
            ToSocket listener = new ToSocket(socket);
            WebSocket ws = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .connectTimeout(connectTimeout)
                    .buildAsync(relay.websocket(Protocol.STREAMS_PATH + streamId), listener)
                    .get(connectTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            listener.watch(ws, streamId, scheduler, pingIntervalMillis.getAsLong());
            WebSocketSender sender = new WebSocketSender(ws);
            Thread pump = new Thread(() -> StreamPump.copy(inputOf(socket), sinkOf(sender, socket), SEND_TIMEOUT_MILLIS),
                    "stream-" + streamId);
            pump.setDaemon(true);
            pump.start();
        } catch (Exception e) {
            socket.close();
            throw e;
        }
    }

    private static java.io.InputStream inputOf(Socket socket) {
        try {
            return socket.getInputStream();
        } catch (IOException e) {
            return java.io.InputStream.nullInputStream();
        }
    }

    private static BinarySink sinkOf(WebSocketSender sender, Socket socket) {
        return new BinarySink() {
            @Override
            public CompletableFuture<Void> send(ByteBuffer data) {
                return sender.sendBinary(data);
            }

            @Override
            public void close() {
                sender.close(WebSocket.NORMAL_CLOSURE, "ssh closed");
                closeQuietly(socket);
            }
        };
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /**
     * Relay -> SSHD direction: write each frame to the socket, then ask for the next one. Also the
     * stream's watchdog: the relay pings every stream, so silence means the path is dead.
     */
    private static final class ToSocket implements WebSocket.Listener {
        private final Socket socket;
        private final FrameWriter out;
        private volatile long lastHeard = System.nanoTime();
        private volatile ScheduledFuture<?> watchdog;

        ToSocket(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new FrameWriter(socket.getOutputStream());
        }

        void watch(WebSocket ws, String streamId, ScheduledExecutorService scheduler, long pingIntervalMillis) {
            long period = Math.max(50, pingIntervalMillis / 4);
            long limitNanos = TimeUnit.MILLISECONDS.toNanos(2 * pingIntervalMillis);
            watchdog = scheduler.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastHeard > limitNanos) {
                    log.warn("stream {} silent for two ping intervals; closing it", streamId);
                    ws.abort();
                    ended();
                }
            }, period, period, TimeUnit.MILLISECONDS);
            if (socket.isClosed()) {
                ended();
            }
        }

        private void ended() {
            ScheduledFuture<?> w = watchdog;
            if (w != null) {
                w.cancel(false);
            }
            closeQuietly(socket);
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            lastHeard = System.nanoTime();
            ws.request(1);
            return null; // the JDK answers with a pong itself
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            lastHeard = System.nanoTime();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            lastHeard = System.nanoTime();
            try {
                out.write(data);
                ws.request(1);
            } catch (IOException e) {
                ws.abort();
                ended();
            }
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            // Streams carry binary only; text is a protocol violation.
            ws.sendClose(1003, "binary frames only");
            ended();
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            ended();
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ended();
        }
    }
}
