package devicetunnel.agent.link;

import devicetunnel.protocol.Liveness;
import devicetunnel.protocol.Periodic;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.JettySink;
import devicetunnel.protocol.StreamIoSession;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For each stream the relay asks for: opens the stream websocket with the one-time token and lets
 * the SSH server speak over it directly (no socket in between). Relay frames are decoded in the
 * websocket callback before the next one is demanded, so a busy SSH server pushes back on the relay.
 */
public final class StreamConnector implements StreamOpener {
    private static final Logger log = LoggerFactory.getLogger(StreamConnector.class);

    private final StreamClient client;
    private final StreamUrlPolicy urls;
    private final StreamTarget sshServer;
    private final ExecutorService executor;
    private final Duration connectTimeout;
    private final Consumer<ControlMessage> control;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier pingIntervalMillis;
    private final StreamLimit limit;

    /**
     * @param pingIntervalMillis the relay's ping interval (from its welcome): a stream that hears
     *                           nothing for two intervals is dead (half-open) and gets closed, which
     *                           ends its SSH session on this device
     */
    public StreamConnector(StreamClient client, StreamUrlPolicy urls, StreamTarget sshServer,
                           ExecutorService executor, Duration connectTimeout, Consumer<ControlMessage> control,
                           ScheduledExecutorService scheduler, LongSupplier pingIntervalMillis, int maxStreams) {
        this.client = client;
        this.urls = urls;
        this.sshServer = sshServer;
        this.executor = executor;
        this.connectTimeout = connectTimeout;
        this.control = control;
        this.scheduler = scheduler;
        this.pingIntervalMillis = pingIntervalMillis;
        this.limit = new StreamLimit(maxStreams);
    }

    /** Streams open or being opened now (bounded by the cap). */
    public int streamsInUse() {
        return limit.inUse();
    }

    @Override
    public void open(String streamId, String token, String url) {
        if (!limit.tryAcquire()) {
            control.accept(new ControlMessage.StreamFailed(streamId, "agent is at its stream limit (" + limit.max() + ")"));
            return;
        }
        executor.execute(() -> {
            try {
                connect(streamId, token, urls.streamUri(streamId, url));
            } catch (Exception e) {
                log.warn("stream {} could not be opened: {}", streamId, e.toString());
                control.accept(new ControlMessage.StreamFailed(streamId, "agent could not open the stream"));
            }
        });
    }

    /** Opens the stream; its slot is released exactly once, when the stream ends or the attempt fails. */
    private void connect(String streamId, String token, URI target) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                limit.release();
            }
        };
        try {
            connect(streamId, token, target, release);
        } catch (Exception | Error e) {
            release.run();
            throw e;
        }
    }

    private void connect(String streamId, String token, URI target, Runnable release) throws Exception {
        ToSshServer endpoint = new ToSshServer(streamId, release);
        CompletableFuture<Session> connecting = client.connect(endpoint, target, token, connectTimeout);
        Session ws;
        try {
            ws = connecting.get(connectTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Given up on: should the upgrade still succeed, nobody would read that websocket.
            connecting.thenAccept(Session::disconnect);
            throw e;
        }
        StreamIoSession ssh = null;
        try {
            ssh = sshServer.serve(streamId, new JettySink(ws, 1000, "ssh closed"));
            endpoint.start(ssh, scheduler, pingIntervalMillis.getAsLong());
        } catch (Exception e) {
            if (ssh != null) {
                ssh.close(true);
            }
            ws.disconnect();
            throw e;
        }
    }

    /**
     * Relay -> SSH server: each frame is decoded, then the next one demanded. Also the stream's
     * watchdog: the relay pings every stream, so silence means the path is dead. Public only because
     * Jetty calls listener methods through a public method-handle lookup.
     */
    public static final class ToSshServer implements Session.Listener {
        private final String streamId;
        private volatile Session ws;
        private volatile StreamIoSession ssh;
        private volatile boolean closed;
        private final Liveness liveness = new Liveness();
        private volatile ScheduledFuture<?> watchdog;
        private final Runnable onEnd;

        private ToSshServer(String streamId, Runnable onEnd) {
            this.streamId = streamId;
            this.onEnd = onEnd;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            ws = session; // nothing is demanded until the SSH server's session exists (see start)
        }

        private void start(StreamIoSession session, ScheduledExecutorService scheduler, long pingIntervalMillis) {
            ssh = session;
            liveness.heard(); // silence while the SSH server was being set up does not count
            Duration interval = Duration.ofMillis(pingIntervalMillis);
            Duration limit = Liveness.silenceLimit(interval);
            watchdog = Periodic.every(scheduler, "stream " + streamId + " watchdog", Liveness.checkPeriod(interval), () -> {
                if (liveness.silentLongerThan(limit)) {
                    log.warn("stream {} silent for two ping intervals; closing it", streamId);
                    ws.disconnect();
                    ended();
                }
            });
            if (closed) {
                ended();
            } else {
                ws.demand();
            }
        }

        private void ended() {
            closed = true;
            onEnd.run();
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
        public void onWebSocketBinary(ByteBuffer data, Callback callback) {
            liveness.heard();
            ssh.received(data);
            // Decoding may take long (starting a shell spawns a process); pings queued meanwhile
            // are read only after it, so that time is ours, not the relay's silence.
            liveness.heard();
            callback.succeed();
            ws.demand();
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            liveness.heard();
            ws.sendPong(payload, Callback.NOOP); // a listener that sees pings answers them itself
            ws.demand();
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            liveness.heard();
            ws.demand();
        }

        @Override
        public void onWebSocketText(String message) {
            // Streams carry binary only; text is a protocol violation.
            ws.close(1003, "binary frames only", Callback.NOOP);
            ended();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            ended();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            ended();
        }
    }
}
