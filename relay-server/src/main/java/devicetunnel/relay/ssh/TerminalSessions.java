package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.store.Device;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/** Opens terminal sessions (device stream + SSH + shell channel) and keeps the live ones. */
public final class TerminalSessions implements AutoCloseable {

    /**
     * Tunables. With the defaults and the relay's 1 MiB SSH window, a session holds at most about
     * 2.3 MiB of output on the relay (ring 1 MiB + SSH window 1 MiB + send queue 256 KiB + one read),
     * 3 MiB for a moment while a resume replays the ring: under 4 MiB whatever the device prints.
     *
     * @param sendQueueBytes output queued on the browser websocket before the relay stops reading
     * @param idleTimeout    end a session with no input and no output for this long; zero: never
     * @param maxDuration    end a session this long after it opened; zero: no limit
     * @param maxPerDevice   open sessions a device may have at once (detached ones included)
     */
    public record Settings(Duration openTimeout, Duration resumeGrace, int replayBytes, int highWatermark,
                           int sendQueueBytes, Duration idleTimeout, Duration maxDuration, int maxPerDevice) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(15), Duration.ofSeconds(60), 1024 * 1024, 512 * 1024,
                    256 * 1024, Duration.ofHours(1), Duration.ZERO, 16);
        }

        public Settings withResumeGrace(Duration grace) {
            return new Settings(openTimeout, grace, replayBytes, highWatermark, sendQueueBytes, idleTimeout, maxDuration, maxPerDevice);
        }

        public Settings withLimits(Duration idle, Duration max, int perDevice) {
            return new Settings(openTimeout, resumeGrace, replayBytes, highWatermark, sendQueueBytes, idle, max, perDevice);
        }
    }

    private final RelaySshClient sshClient;
    private final StreamBroker broker;
    private final ScheduledExecutorService scheduler;
    private final Settings settings;
    private final Consumer<TerminalSession> onClosed;
    private final ConcurrentMap<String, TerminalSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, Integer> opening = new HashMap<>();
    private final SessionLimits limits;
    private volatile boolean accepting = true;

    public TerminalSessions(RelaySshClient sshClient, StreamBroker broker, ScheduledExecutorService scheduler,
                            Settings settings, Consumer<TerminalSession> onClosed) {
        this.sshClient = sshClient;
        this.broker = broker;
        this.scheduler = scheduler;
        this.settings = settings;
        this.onClosed = onClosed;
        this.limits = new SessionLimits(settings.idleTimeout(), settings.maxDuration(), this::all, scheduler);
    }

    /** Blocking: call it off the websocket thread. Failures are {@link TunnelException}s with a user-facing reason. */
    public TerminalSession open(String operator, Device device, int cols, int rows) {
        reserve(device.id());
        try {
            return connect(operator, device, cols, rows);
        } finally {
            release(device.id());
        }
    }

    /** Counts a session being opened against the device's cap, so concurrent opens cannot overshoot it. */
    private synchronized void reserve(String deviceId) {
        if (!accepting) {
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "The relay is shutting down; try again in a moment.");
        }
        int inFlight = opening.getOrDefault(deviceId, 0);
        if (countForDevice(deviceId) + inFlight >= settings.maxPerDevice()) {
            throw new TunnelException(ErrorCode.CONFLICT, "This device already has " + settings.maxPerDevice()
                    + " sessions open, the most it may have; close one first.");
        }
        opening.put(deviceId, inFlight + 1);
    }

    private synchronized void release(String deviceId) {
        opening.computeIfPresent(deviceId, (id, n) -> n > 1 ? n - 1 : null);
    }

    private TerminalSession connect(String operator, Device device, int cols, int rows) {
        PublicKey pinned = parseHostKey(device);
        Duration timeout = settings.openTimeout();
        TcpWsAdapter adapter;
        try {
            adapter = new TcpWsAdapter();
        } catch (IOException e) {
            throw new TunnelException(ErrorCode.INTERNAL, "cannot open a local adapter", e);
        }
        try {
            await(broker.open(device.id(), adapter, timeout), timeout);
            ClientSession ssh = sshClient.connect(operator, adapter, pinned, timeout);
            ChannelShell channel = ssh.createShellChannel();
            channel.setPtyType("xterm-256color");
            channel.setPtyColumns(cols);
            channel.setPtyLines(rows);
            channel.open().verify(timeout);
            String id = UUID.randomUUID().toString();
            TerminalSession session = new TerminalSession(id, operator, device.id(), ssh, channel, adapter,
                    new OutputBuffer(settings.replayBytes(), settings.highWatermark(), settings.sendQueueBytes()), scheduler,
                    settings.resumeGrace(), this::closed);
            sessions.put(id, session);
            session.startPump();
            return session;
        } catch (TunnelException e) {
            adapter.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            adapter.close();
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "Could not start a shell on the device.", e);
        }
    }

    private static void await(java.util.concurrent.CompletableFuture<Void> future, Duration timeout) {
        try {
            future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TunnelException te) {
                throw te;
            }
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, null, e.getCause());
        } catch (TimeoutException e) {
            throw new TunnelException(ErrorCode.DEVICE_TIMEOUT, "The device did not open the session in time.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "interrupted");
        }
    }

    private static PublicKey parseHostKey(Device device) {
        if (device.hostKey() == null) {
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "The device has no host key on record yet.");
        }
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(device.hostKey())
                    .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (Exception e) {
            throw new TunnelException(ErrorCode.INTERNAL, "The device's host key on record is unreadable.");
        }
    }

    private void closed(TerminalSession session) {
        if (sessions.remove(session.id(), session)) {
            onClosed.accept(session);
        }
        synchronized (this) {
            notifyAll();
        }
    }

    /** Graceful shutdown, first step: new sessions are refused from now on (503). */
    public void stopAccepting() {
        accepting = false;
    }

    public boolean isAccepting() {
        return accepting;
    }

    /** Waits until every session has ended by itself, or the timeout passed; true when none is left. */
    public boolean awaitAllClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!sessions.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    /** Ends every session, telling each attached browser why. */
    public void terminateAll(ErrorCode error, String message, int closeCode) {
        for (TerminalSession s : all()) {
            s.terminate(error, message, closeCode);
        }
    }

    public Optional<TerminalSession> find(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(sessions.get(id));
    }

    public Collection<TerminalSession> all() {
        return List.copyOf(sessions.values());
    }

    public long countForDevice(String deviceId) {
        return sessions.values().stream().filter(s -> s.deviceId().equals(deviceId)).count();
    }

    public long countForOperator(String operator) {
        return sessions.values().stream().filter(s -> s.operator().equals(operator)).count();
    }

    @Override
    public void close() {
        limits.close();
        for (TerminalSession s : all()) {
            s.close();
        }
    }
}
