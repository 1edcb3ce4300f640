package devicetunnel.agent.link;

import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.StreamIoSession;
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
 * For each stream the relay asks for: opens the stream websocket with the one-time token and lets
 * the SSH server speak over it directly (no socket in between). Relay frames are decoded in the
 * websocket callback before the next one is requested, so a busy SSH server pushes back on the relay.
 */
public final class StreamConnector implements StreamOpener {
    private static final Logger log = LoggerFactory.getLogger(StreamConnector.class);

    private final HttpClient http;
    private final RelayEndpoint relay;
    private final StreamTarget sshServer;
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
    public StreamConnector(HttpClient http, RelayEndpoint relay, StreamTarget sshServer,
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
        ToSshServer listener = new ToSshServer(streamId);
        WebSocket ws = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(connectTimeout)
                .buildAsync(relay.websocket(Protocol.STREAMS_PATH + streamId), listener)
                .get(connectTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        WebSocketSender sender = new WebSocketSender(ws);
        StreamIoSession ssh;
        try {
            ssh = sshServer.serve(streamId, new BinarySink() {
                @Override
                public CompletableFuture<Void> send(ByteBuffer data) {
                    return sender.sendBinary(data);
                }

                @Override
                public void close() {
                    sender.close(WebSocket.NORMAL_CLOSURE, "ssh closed");
                }
            });
        } catch (Exception e) {
            ws.abort();
            throw e;
        }
        listener.start(ws, ssh, scheduler, pingIntervalMillis.getAsLong());
    }

    /**
     * Relay -> SSH server: each frame is decoded, then the next one requested. Also the stream's
     * watchdog: the relay pings every stream, so silence means the path is dead.
     */
    private static final class ToSshServer implements WebSocket.Listener {
        private final String streamId;
        private volatile StreamIoSession ssh;
        private volatile boolean closed;
        private volatile long lastHeard = System.nanoTime();
        private volatile ScheduledFuture<?> watchdog;

        ToSshServer(String streamId) {
            this.streamId = streamId;
        }

        @Override
        public void onOpen(WebSocket ws) {
            // Nothing is requested until the SSH server's session exists (see start).
        }

        void start(WebSocket ws, StreamIoSession session, ScheduledExecutorService scheduler, long pingIntervalMillis) {
            ssh = session;
            long period = Math.max(50, pingIntervalMillis / 4);
            long limitNanos = TimeUnit.MILLISECONDS.toNanos(2 * pingIntervalMillis);
            watchdog = scheduler.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastHeard > limitNanos) {
                    log.warn("stream {} silent for two ping intervals; closing it", streamId);
                    ws.abort();
                    ended();
                }
            }, period, period, TimeUnit.MILLISECONDS);
            if (closed) {
                ended();
            } else {
                ws.request(1);
            }
        }

        private void ended() {
            closed = true;
            ScheduledFuture<?> w = watchdog;
            if (w != null) {
                w.cancel(false);
            }
            StreamIoSession session = ssh;
            if (session != null) {
                session.peerClosed();
            }
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
            // A stream is a byte stream: a frame split in parts is just more bytes.
            ssh.received(data);
            ws.request(1);
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
