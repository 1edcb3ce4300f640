package devicetunnel.agent.link;

import devicetunnel.protocol.Liveness;
import devicetunnel.protocol.Periodic;
import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TlsProblems;
import devicetunnel.protocol.TunnelException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's long-lived control websocket. Keeps it up: reconnects with jittered backoff, answers
 * pings, and treats a relay it has not heard from for two ping intervals as gone (a half-open TCP
 * connection never reports an error by itself). A device whose shells may be waiting for a resume
 * redials a lost link at once instead of after the backoff's jitter: an operator is watching it,
 * and the few such devices change nothing for the rest of a fleet spreading out (docs/SCALING.md).
 */
public final class ControlLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlLink.class);
    /** Until a relay says otherwise in its welcome. */
    static final long DEFAULT_PING_INTERVAL_MILLIS = 25_000;
    /** The longest a device with running shells waits before redialling a link that was up. */
    static final long RESUME_REDIAL_MILLIS = 100;

    private final HttpClient http;
    private final RelayEndpoint relay;
    private final DeviceCredential credential;
    private final Enroller enroller;
    private final String hostKey;
    private final String agentVersion;
    private final StreamOpener streams;
    private final Consumer<ControlMessage> onRelaySettings;
    private final WelcomeCheck welcomeCheck;
    private final Backoff backoff;
    private final BooleanSupplier shellsRunning;
    private final ScheduledExecutorService scheduler;
    private final Duration connectTimeout;
    private final AtomicInteger generation = new AtomicInteger();
    private final LinkState state;

    private volatile Connection current;
    private volatile boolean closed;
    private volatile boolean online;
    private volatile long pingIntervalMillis = DEFAULT_PING_INTERVAL_MILLIS;

    /**
     * Decides whether a welcome comes from the relay this device enrolled with (its keys are the
     * pinned ones, or a rotation signed by a pinned key vouches for them). Until it does, the link
     * carries nothing but pings: no stream is opened and no setting applied.
     */
    @FunctionalInterface
    public interface WelcomeCheck {
        /** Null when the welcome is trusted (and its keys applied); otherwise why it is refused. */
        String refusal(ControlMessage.Welcome welcome);
    }

    /** Runs before every connection attempt: enrolls the device the first time; a failure means retry later. */
    @FunctionalInterface
    public interface Enroller {
        void ensureEnrolled() throws Exception;
    }

    public ControlLink(HttpClient http, RelayEndpoint relay, DeviceCredential credential, Enroller enroller, String hostKey,
                       String agentVersion, StreamOpener streams, WelcomeCheck welcomeCheck,
                       Consumer<ControlMessage> onRelaySettings,
                       Backoff backoff, BooleanSupplier shellsRunning, ScheduledExecutorService scheduler,
                       Duration connectTimeout, LinkState state) {
        this.http = http;
        this.relay = relay;
        this.credential = credential;
        this.enroller = enroller;
        this.hostKey = hostKey;
        this.agentVersion = agentVersion;
        this.streams = streams;
        this.onRelaySettings = onRelaySettings;
        this.welcomeCheck = welcomeCheck;
        this.backoff = backoff;
        this.shellsRunning = shellsRunning;
        this.scheduler = scheduler;
        this.connectTimeout = connectTimeout;
        this.state = state;
    }

    public void start() {
        scheduler.execute(this::connect);
    }

    /** The relay's ping interval, as its last welcome said. */
    public long pingIntervalMillis() {
        return pingIntervalMillis;
    }

    /** True while a welcomed link is up. */
    public boolean isOnline() {
        return online;
    }

    /** Sends a message on the current link, if any (dropped when offline: the relay re-asks). */
    public void send(ControlMessage message) {
        Connection c = current;
        if (c != null) {
            c.sender.sendText(ControlCodec.encode(message));
        }
    }

    /** Sends a message only on a link whose welcome passed the trust check (dropped otherwise). */
    public void sendTrusted(ControlMessage message) {
        Connection c = current;
        if (c != null && c.trusted) {
            c.sender.sendText(ControlCodec.encode(message));
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        int gen = generation.incrementAndGet();
        try {
            enroller.ensureEnrolled();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            String why = describe(e, relay.base().getHost());
            log.warn("cannot enroll at relay {}: {}", relay.base(), why);
            state.problem("cannot enroll: " + why);
            lost(gen, null);
            return;
        }
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        credential.addTo(builder);
        if (shellsRunning.getAsBoolean()) {
            builder.header(Protocol.SHELLS_HEADER, "1"); // a busy relay lets shells back in first
        }
        builder.buildAsync(relay.websocket(Protocol.CONNECT_PATH), new Listener(gen))
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        String why = describe(error, relay.base().getHost());
                        log.warn("cannot reach relay {}: {}", relay.base(), why);
                        state.problem("cannot reach relay: " + why);
                        lost(gen, null);
                    }
                });
    }

    /** Plain words for a failed connection or enrollment; certificate problems say which and what to do. */
    public static String describe(Throwable error, String host) {
        Optional<String> tls = TlsProblems.explain(error, host, "start the agent with --ca-file FILE (the CA's PEM certificate)");
        if (tls.isPresent()) {
            return tls.get();
        }
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        if (cause instanceof WebSocketHandshakeException handshake) {
            int status = handshake.getResponse().statusCode();
            return switch (status) {
                case 401 -> "relay refused the device's proof (401): is the state directory the one that enrolled?";
                case 403 -> "relay refused this device (403): it is pending acceptance or revoked";
                case 503 -> "relay is not ready (503)";
                default -> "relay answered HTTP " + status;
            };
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /** Ends connection {@code gen} (once) and schedules the next attempt. */
    private void lost(int gen, Long delayOverride) {
        if (!generation.compareAndSet(gen, gen + 1)) {
            return; // an older connection, or already handled
        }
        Connection c = current;
        if (c != null && c.generation == gen) {
            current = null;
            c.stop();
        }
        boolean wasOnline = online;
        online = false;
        state.offline();
        if (closed) {
            return;
        }
        long delay = delayOverride != null ? delayOverride : redialDelay(wasOnline);
        if (wasOnline) {
            log.info("control link lost; reconnecting in {} ms", delay);
        }
        scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * The backoff's delay, except right after losing a link that was up (not one that keeps
     * failing: the backoff's first attempt) while shells run: then at most {@link #RESUME_REDIAL_MILLIS}.
     */
    private long redialDelay(boolean wasOnline) {
        long delay = backoff.nextDelayMillis();
        if (wasOnline && backoff.attempt() == 1 && shellsRunning.getAsBoolean()) {
            return Math.min(delay, RESUME_REDIAL_MILLIS);
        }
        return delay;
    }

    @Override
    public void close() {
        closed = true;
        Connection c = current;
        if (c != null) {
            c.sender.close(WebSocket.NORMAL_CLOSURE, "agent shutting down");
            c.stop();
        }
        online = false;
        state.offline(); // an embedding application's handle says so at once
    }

    private final class Connection {
        final int generation;
        final WebSocket socket;
        final WebSocketSender sender;
        final Liveness liveness = new Liveness();
        volatile ScheduledFuture<?> watchdog;
        /** Set once a welcome passed the trust check; until then nothing the relay asks for is done. */
        volatile boolean trusted;
        volatile boolean refusedEarlyOpen;
        /** Closing politely (our refusal must reach the relay before the socket goes). */
        volatile boolean closing;

        Connection(int generation, WebSocket socket) {
            this.generation = generation;
            this.socket = socket;
            this.sender = new WebSocketSender(socket);
        }

        void heard() {
            liveness.heard();
        }

        /** A relay that accepted the socket but never welcomes us (or a path that died meanwhile) is given up on. */
        void awaitWelcome() {
            watchdog = scheduler.schedule(() -> {
                log.warn("relay did not welcome the device within {} ms; reconnecting", connectTimeout.toMillis());
                state.problem("relay did not welcome the device in time");
                socket.abort();
                lost(generation, null);
            }, connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        void watch(long pingIntervalMillis) {
            ScheduledFuture<?> handshake = watchdog;
            if (handshake != null) {
                handshake.cancel(false);
            }
            Duration interval = Duration.ofMillis(pingIntervalMillis);
            Duration limit = Liveness.silenceLimit(interval);
            watchdog = Periodic.every(scheduler, "control link watchdog", Liveness.checkPeriod(interval), () -> {
                if (liveness.silentLongerThan(limit)) {
                    log.warn("relay silent for two ping intervals; dropping the link");
                    state.problem("relay silent for two ping intervals");
                    socket.abort();
                    lost(generation, null);
                }
            });
        }

        void stop() {
            ScheduledFuture<?> w = watchdog;
            if (w != null) {
                w.cancel(false);
            }
            if (closed || closing) {
                return;
            }
            socket.abort();
        }

        /** Tells the relay why (its audit can show it, if it is the real one), then closes the link. */
        void refuse(String reason) {
            closing = true;
            sender.sendText(ControlCodec.encode(new ControlMessage.Error(ErrorCode.RELAY_KEY_MISMATCH.code(),
                    "device refused the welcome: " + reason)));
            sender.close(ErrorCode.RELAY_KEY_MISMATCH.closeCode(), "relay keys not pinned by this device");
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final int gen;
        private final StringBuilder text = new StringBuilder();
        private Connection connection;

        Listener(int gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(WebSocket ws) {
            connection = new Connection(gen, ws);
            current = connection;
            connection.sender.sendText(ControlCodec.encode(
                    new ControlMessage.Hello(Protocol.VERSION, agentVersion, hostKey)));
            connection.awaitWelcome();
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            connection.heard();
            text.append(data);
            if (text.length() > devicetunnel.protocol.ControlCodec.MAX_MESSAGE_CHARS) {
                log.warn("relay sent an oversized control message; reconnecting");
                ws.abort();
                lost(gen, null);
                return null;
            }
            if (last) {
                String message = text.toString();
                text.setLength(0);
                handle(message);
            }
            ws.request(1);
            return null;
        }

        private void handle(String raw) {
            ControlMessage message;
            try {
                message = ControlCodec.decode(raw);
            } catch (TunnelException e) {
                log.warn("ignoring control message from relay: {}", e.getMessage());
                return;
            }
            if (message instanceof ControlMessage.Welcome welcome) {
                welcomed(welcome);
            } else if (!connection.trusted) {
                untrusted(message);
            } else if (message instanceof ControlMessage.Features) {
                onRelaySettings.accept(message);
            } else if (message instanceof ControlMessage.OpenStream open) {
                streams.open(open.streamId(), open.token(), open.url());
            } else if (message instanceof ControlMessage.Ping ping) {
                connection.sender.sendText(ControlCodec.encode(new ControlMessage.Pong(ping.sentAtMillis())));
            } else if (message instanceof ControlMessage.Drain drain) {
                log.info("relay is draining ({}); reconnecting in about {} ms", drain.reason(), drain.reconnectAfterMillis());
                long jitter = java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, drain.reconnectAfterMillis()));
                lost(gen, drain.reconnectAfterMillis() + jitter);
            } else if (message instanceof ControlMessage.Error error) {
                log.warn("relay reports {}: {}", error.error(), error.message());
            }
        }

        /** Before a trusted welcome only pings are answered; a stream request is refused (logged once per link). */
        private void untrusted(ControlMessage message) {
            if (message instanceof ControlMessage.Ping ping) {
                connection.sender.sendText(ControlCodec.encode(new ControlMessage.Pong(ping.sentAtMillis())));
            } else if (message instanceof ControlMessage.OpenStream open) {
                if (!connection.refusedEarlyOpen) {
                    connection.refusedEarlyOpen = true;
                    log.warn("relay {} asked for a stream before a trusted welcome; refused", relay.base());
                }
                connection.sender.sendText(ControlCodec.encode(
                        new ControlMessage.StreamFailed(open.streamId(), "the device has not accepted this relay")));
            } else if (message instanceof ControlMessage.Error error) {
                log.warn("relay reports {}: {}", error.error(), error.message());
            }
        }

        private void welcomed(ControlMessage.Welcome welcome) {
            if (connection.trusted) {
                return; // one welcome per link; a second could only try to swap keys under our feet
            }
            String refusal = welcomeCheck.refusal(welcome);
            if (refusal != null) {
                log.error("REFUSING relay {}: {}. This is an impostor or a relay whose keys changed without a signed "
                        + "rotation; no stream will be opened on this link. Retrying with backoff; if the relay's keys "
                        + "really changed, an admin must re-enroll this device.", relay.base(), refusal);
                state.problem("refused the relay: " + refusal);
                connection.refuse(refusal);
                lost(gen, null);
                return;
            }
            connection.trusted = true;
            onRelaySettings.accept(welcome);
            backoff.connected();
            online = true;
            state.connected();
            log.info("connected to relay {} as {}", relay.base(), credential.deviceId());
            if (welcome.pingIntervalMillis() > 0) {
                pingIntervalMillis = welcome.pingIntervalMillis();
            }
            connection.watch(pingIntervalMillis);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            connection.heard();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            connection.heard();
            ws.request(1);
            return null; // the JDK answers with a pong itself
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            connection.heard();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            if (statusCode >= 4000 && !closed) {
                // LINK_REPLACED too: a newer link of ours won (e.g. after a network change); reconnecting as usual is right.
                log.warn("relay closed the control link: {} {}", ErrorCode.describeClose(statusCode), reason);
                state.problem("relay closed the link: " + ErrorCode.describeClose(statusCode));
            }
            lost(gen, null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (!closed) {
                log.warn("control link error: {}", error.toString());
                state.problem("control link error: " + error);
            }
            lost(gen, null);
        }
    }
}
