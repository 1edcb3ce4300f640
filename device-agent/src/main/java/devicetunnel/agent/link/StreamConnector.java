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
import java.util.concurrent.atomic.AtomicBoolean;
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
    /** At most this long for a sibling relay's URL, leaving the fallback time within the relay's 15 s open timeout. */
    private static final Duration SIBLING_ATTEMPT = Duration.ofSeconds(4);

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
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                limit.release();
            }
        };
        executor.execute(() -> {
            try {
                Attempt attempt = url == null ? null : atSibling(streamId, token, url);
                if (attempt == null) {
                    attempt = connect(streamId, token, urls.streamUri(streamId, null), connectTimeout);
                }
                serve(streamId, attempt, release);
            } catch (Exception | Error e) {
                release.run(); // the slot is released exactly once: here, or when the stream ends
                log.warn("stream {} could not be opened: {}", streamId, e.toString());
                control.accept(new ControlMessage.StreamFailed(streamId, "agent could not open the stream"));
            }
        });
    }

    /** A stream websocket whose upgrade succeeded, and its listener. */
    private record Attempt(Session ws, ToSshServer endpoint) {}

    /**
     * Tries the sibling relay's advertised URL. Null when this device may not or cannot go there
     * (a URL outside --stream-hosts, or a relay only the load balancer can reach): the stream then
     * goes to this agent's own relay URL, and the cluster carries it on to the sibling. The attempt
     * gets a shorter timeout so the fallback still lands within the relay's open timeout.
     */
    private Attempt atSibling(String streamId, String token, String url) {
        URI target;
        try {
            target = urls.streamUri(streamId, url);
        } catch (IllegalArgumentException e) {
            log.info("stream {}: {}; opening it through the relay instead", streamId, e.getMessage());
            return null;
        }
        try {
            return connect(streamId, token, target, connectTimeout.compareTo(SIBLING_ATTEMPT) < 0 ? connectTimeout : SIBLING_ATTEMPT);
        } catch (Exception e) {
            log.info("stream {}: sibling relay unreachable ({}); opening it through the relay instead", streamId, e.toString());
            return null;
        }
    }

    private Attempt connect(String streamId, String token, URI target, Duration timeout) throws Exception {
        ToSshServer endpoint = new ToSshServer(streamId);
        CompletableFuture<Session> connecting = client.connect(endpoint, target, token, timeout);
        try {
            return new Attempt(connecting.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS), endpoint);
        } catch (Exception e) {
            // Given up on: should the upgrade still succeed, nobody would read that websocket.
            connecting.thenAccept(Session::disconnect);
            throw e;
        }
    }

    /** Lets the SSH server speak over the stream; {@code release} runs when the stream ends. */
    private void serve(String streamId, Attempt attempt, Runnable release) throws Exception {
        StreamIoSession ssh = null;
        try {
            ssh = sshServer.serve(streamId, new JettySink(attempt.ws(), 1000, "ssh closed"));
            attempt.endpoint().start(ssh, scheduler, pingIntervalMillis.getAsLong(), release);
        } catch (Exception e) {
            if (ssh != null) {
                ssh.close(true);
            }
            attempt.ws().disconnect();
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
        /** Set once the stream is served: a given-up attempt's end must not release anyone's slot. */
        private volatile Runnable onEnd = () -> {};

        private ToSshServer(String streamId) {
            this.streamId = streamId;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            ws = session; // nothing is demanded until the SSH server's session exists (see start)
        }

        private void start(StreamIoSession session, ScheduledExecutorService scheduler, long pingIntervalMillis, Runnable onEnd) {
            this.onEnd = onEnd;
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
