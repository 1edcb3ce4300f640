package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.Device;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.session.ClientSession;

/** Opens terminal sessions (an SSH connection to the device + a shell channel) and keeps the live ones. */
public final class TerminalSessions implements AutoCloseable {

    /** Tunables; the defaults bound a session's memory on the relay to about 3 MiB. */
    public record Settings(Duration openTimeout, Duration resumeGrace, int replayBytes, int highWatermark) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(15), Duration.ofSeconds(60), 1024 * 1024, 512 * 1024);
        }
    }

    private final DeviceSshConnector connector;
    private final ScheduledExecutorService scheduler;
    private final Settings settings;
    private final Consumer<TerminalSession> onClosed;
    private final ConcurrentMap<String, TerminalSession> sessions = new ConcurrentHashMap<>();

    public TerminalSessions(DeviceSshConnector connector, ScheduledExecutorService scheduler,
                            Settings settings, Consumer<TerminalSession> onClosed) {
        this.connector = connector;
        this.scheduler = scheduler;
        this.settings = settings;
        this.onClosed = onClosed;
    }

    /** Blocking: call it off the websocket thread. Failures are {@link TunnelException}s with a user-facing reason. */
    public TerminalSession open(String operator, Device device, int cols, int rows) {
        Duration timeout = settings.openTimeout();
        DeviceSshConnector.DeviceConnection connection = connector.connect(operator, device, timeout);
        try {
            ClientSession ssh = connection.session();
            ChannelShell channel = ssh.createShellChannel();
            channel.setPtyType("xterm-256color");
            channel.setPtyColumns(cols);
            channel.setPtyLines(rows);
            channel.open().verify(timeout);
            String id = UUID.randomUUID().toString();
            TerminalSession session = new TerminalSession(id, operator, device.id(), ssh, channel, connection.adapter(),
                    new OutputBuffer(settings.replayBytes(), settings.highWatermark()), scheduler,
                    settings.resumeGrace(), this::closed);
            sessions.put(id, session);
            session.startPump();
            return session;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "Could not start a shell on the device.", e);
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
