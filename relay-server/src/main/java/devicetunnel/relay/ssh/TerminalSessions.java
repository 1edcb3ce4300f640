package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.store.Device;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
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

    /** Tunables; the defaults bound a session's memory on the relay to about 3 MiB. */
    public record Settings(Duration openTimeout, Duration resumeGrace, int replayBytes, int highWatermark) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(15), Duration.ofSeconds(60), 1024 * 1024, 512 * 1024);
        }
    }

    private final RelaySshClient sshClient;
    private final StreamBroker broker;
    private final ScheduledExecutorService scheduler;
    private final Settings settings;
    private final Consumer<TerminalSession> onClosed;
    private final ConcurrentMap<String, TerminalSession> sessions = new ConcurrentHashMap<>();

    public TerminalSessions(RelaySshClient sshClient, StreamBroker broker, ScheduledExecutorService scheduler,
                            Settings settings, Consumer<TerminalSession> onClosed) {
        this.sshClient = sshClient;
        this.broker = broker;
        this.scheduler = scheduler;
        this.settings = settings;
        this.onClosed = onClosed;
    }

    /** Blocking: call it off the websocket thread. Failures are {@link TunnelException}s with a user-facing reason. */
    public TerminalSession open(String operator, Device device, int cols, int rows) {
        PublicKey pinned = parseHostKey(device);
        Duration timeout = settings.openTimeout();
        TcpWsAdapter adapter;
        try {
            adapter = new TcpWsAdapter();
        } catch (IOException e) {
            throw new TunnelException(ErrorCode.INTERNAL, "cannot open a local adapter", e);
        }
        try {
            ClientSession ssh = connectThrough(adapter, operator, device, pinned);
            ChannelShell channel = ssh.createShellChannel();
            channel.setPtyType("xterm-256color");
            channel.setPtyColumns(cols);
            channel.setPtyLines(rows);
            channel.open().verify(timeout);
            String id = UUID.randomUUID().toString();
            TerminalSession session = new TerminalSession(id, operator, device.id(), ssh, channel, adapter,
                    new OutputBuffer(settings.replayBytes(), settings.highWatermark()), scheduler,
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

    /**
     * An authenticated SSH session to the device over a fresh device stream, for callers that open
     * their own channels (exec, sftp; the benchmark's bulk copy). Closing the session ends the stream.
     */
    public ClientSession connect(String operator, Device device) {
        PublicKey pinned = parseHostKey(device);
        TcpWsAdapter adapter;
        try {
            adapter = new TcpWsAdapter();
        } catch (IOException e) {
            throw new TunnelException(ErrorCode.INTERNAL, "cannot open a local adapter", e);
        }
        try {
            ClientSession ssh = connectThrough(adapter, operator, device, pinned);
            ssh.addCloseFutureListener(closed -> adapter.close());
            return ssh;
        } catch (RuntimeException | IOException e) {
            adapter.close();
            throw e instanceof TunnelException te ? te
                    : new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "Could not reach the device.", e);
        }
    }

    private ClientSession connectThrough(TcpWsAdapter adapter, String operator, Device device, PublicKey pinned)
            throws IOException {
        Duration timeout = settings.openTimeout();
        await(broker.open(device.id(), adapter, timeout), timeout);
        return sshClient.connect(operator, adapter, pinned, timeout);
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
        for (TerminalSession s : all()) {
            s.close();
        }
    }
}
