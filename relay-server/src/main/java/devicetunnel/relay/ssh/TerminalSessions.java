package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.recording.Recordings;
import devicetunnel.relay.recording.SessionRecording;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.TerminalSessionStore;
import java.io.IOException;
import devicetunnel.relay.ws.TerminalCompression;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.session.ClientSession;

/** Opens terminal sessions (an SSH connection to the device + a shell channel) and keeps the live ones. */
public final class TerminalSessions implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TerminalSessions.class);

    /**
     * Tunables. With the defaults and the relay's 1 MiB SSH window, a session holds at most about
     * 2.3 MiB of output on the relay (ring 1 MiB + SSH window 1 MiB + send queue 256 KiB + one read),
     * 3 MiB for a moment while a resume replays the ring: under 4 MiB whatever the device prints.
     *
     * <p>Session caps and the idle timeout are hardening settings ({@code RelayConfig.Hardening}).
     *
     * @param sendQueueBytes      output queued on the browser websocket before the relay stops reading
     * @param maxDuration         end a session this long after it opened; zero: no limit
     * @param interactivePriority pace sessions printing in bulk while the machine is busy and
     *                            operators type elsewhere ({@link OutputGovernor})
     * @param compression         whether a browser's permessage-deflate offer is accepted, and how hard
     */
    public record Settings(Duration openTimeout, Duration resumeGrace, int replayBytes, int highWatermark,
                           int sendQueueBytes, Duration maxDuration, boolean interactivePriority,
                           TerminalCompression compression) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(15), Duration.ofSeconds(60), 1024 * 1024, 512 * 1024,
                    256 * 1024, Duration.ZERO, true, TerminalCompression.OFF);
        }

        public Settings withCompression(TerminalCompression level) {
            return new Settings(openTimeout, resumeGrace, replayBytes, highWatermark, sendQueueBytes, maxDuration,
                    interactivePriority, level);
        }

        public Settings withResumeGrace(Duration grace) {
            return new Settings(openTimeout, grace, replayBytes, highWatermark, sendQueueBytes, maxDuration,
                    interactivePriority, compression);
        }

        public Settings withMaxDuration(Duration max) {
            return new Settings(openTimeout, resumeGrace, replayBytes, highWatermark, sendQueueBytes, max,
                    interactivePriority, compression);
        }

        public Settings withInteractivePriority(boolean enabled) {
            return new Settings(openTimeout, resumeGrace, replayBytes, highWatermark, sendQueueBytes, maxDuration,
                    enabled, compression);
        }
    }

    private final DeviceSshConnector connector;
    private final ScheduledExecutorService scheduler;
    private final Settings settings;
    private final Consumer<TerminalSession> onClosed;
    private final ConcurrentMap<String, TerminalSession> sessions = new ConcurrentHashMap<>();
    private final SessionExpiry expiry;
    private final OutputGovernor governor;
    private volatile boolean accepting = true;
    private final TerminalSessionStore store;
    private final Recordings recordings;
    private final SessionTraffic traffic = new SessionTraffic();
    /** Shell channel environment the agent reads (see the agent's ShellChannel). */
    static final String SESSION_ENV = "DEVTUNNEL_SESSION";
    static final String RESUME_ENV = "DEVTUNNEL_RESUME_OFFSET";

    public TerminalSessions(DeviceSshConnector connector, ScheduledExecutorService scheduler,
                            Settings settings, OutputGovernor governor, TerminalSessionStore store,
                            Recordings recordings, Consumer<TerminalSession> onClosed) {
        this.store = store;
        this.recordings = recordings;
        this.connector = connector;
        this.scheduler = scheduler;
        this.settings = settings;
        this.onClosed = onClosed;
        this.expiry = new SessionExpiry(settings.maxDuration(), this::all, scheduler);
        this.governor = governor;
        governor.start(scheduler);
    }

    /** Blocking: call it off the websocket thread. Failures are {@link TunnelException}s with a user-facing reason. */
    public TerminalSession open(String operator, Device device, int cols, int rows) {
        return open(operator, devicetunnel.relay.auth.TokenService.UNVERSIONED, null, device, cols, rows);
    }

    /**
     * {@code tokenVersion}: the version of the token the session was opened with; {@code apiTokenId}:
     * the API token it was opened with, or null. The access sweep ends the session when either is revoked.
     */
    public TerminalSession open(String operator, long tokenVersion, String apiTokenId, Device device, int cols, int rows) {
        refuseWhileDraining();
        String id = UUID.randomUUID().toString();
        DeviceSshConnector.DeviceConnection connection = connector.connect(operator, device, settings.openTimeout());
        SessionRecording recording = null;
        try {
            // Before the shell: a device that requires a recording gets no shell that is not recorded.
            recording = recordings.start(id, operator, device.id(), cols, rows);
            ChannelShell channel = shellChannel(connection.session(), id, cols, rows);
            channel.setEnv(SESSION_ENV, id); // the agent keeps this shell for a resume if the relay goes away
            channel.open().verify(settings.openTimeout());
            store.add(new TerminalSessionStore.Entry(id, device.id(), operator, Instant.now()));
            return started(new TerminalSession(id, operator, device.id(), connection.session(), channel, connection.stream(),
                    outputBuffer(0), scheduler, settings.resumeGrace(), governor, traffic, this::closed), tokenVersion, apiTokenId,
                    recording);
        } catch (TunnelException e) {
            abandon(connection, recording);
            throw e;
        } catch (IOException | RuntimeException e) {
            abandon(connection, recording);
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "Could not start a shell on the device.", e);
        }
    }

    /** A session this relay does not hold, as the store knows it (opened by a relay that restarted, or by a sibling). */
    public Optional<TerminalSessionStore.Entry> elsewhere(String id) {
        return id == null || sessions.containsKey(id) ? Optional.empty() : store.find(id);
    }

    /**
     * Resumes a session whose relay went away, through the device: the agent kept the shell and
     * its last output, and replays from {@code offset} (or from the oldest byte it still has).
     * Blocking: call it off the websocket thread.
     */
    public TerminalSession reattach(TerminalSessionStore.Entry entry, long tokenVersion, String apiTokenId, Device device,
                                    long offset, int cols, int rows) {
        refuseWhileDraining();
        DeviceSshConnector.DeviceConnection connection = connector.connect(entry.operator(), device, settings.openTimeout());
        SessionRecording recording = null;
        try {
            ChannelShell channel = shellChannel(connection.session(), entry.id(), cols, rows);
            channel.setEnv(SESSION_ENV, entry.id());
            channel.setEnv(RESUME_ENV, Long.toString(offset));
            try {
                channel.open().verify(settings.openTimeout());
            } catch (IOException | RuntimeException e) { // the agent has no such shell any more
                store.remove(entry.id());
                throw new TunnelException(ErrorCode.NOT_FOUND, "The session has ended (its shell is gone from the device).", e);
            }
            long start = ResumeHeader.read(channel.getInvertedErr(), settings.openTimeout());
            // The relay that recorded the first part is gone: this relay records the rest as a recording of its own.
            recording = recordings.start(entry.id(), entry.operator(), device.id(), cols, rows);
            TerminalSession session = new TerminalSession(entry.id(), entry.operator(), device.id(), connection.session(),
                    channel, connection.stream(), outputBuffer(start), scheduler, settings.resumeGrace(), governor, traffic, this::closed);
            session.resumedThroughDevice();
            return started(session, tokenVersion, apiTokenId, recording);
        } catch (TunnelException e) {
            abandon(connection, recording);
            throw e;
        } catch (IOException | RuntimeException e) {
            abandon(connection, recording);
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "Could not resume the shell on the device.", e);
        }
    }

    private void refuseWhileDraining() {
        if (!accepting) {
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "The relay is shutting down; try again in a moment.");
        }
    }

    private static ChannelShell shellChannel(ClientSession ssh, String id, int cols, int rows) throws IOException {
        ChannelShell channel = ssh.createShellChannel();
        channel.setPtyType("xterm-256color");
        channel.setPtyColumns(cols);
        channel.setPtyLines(rows);
        return channel;
    }

    private OutputBuffer outputBuffer(long base) {
        return new OutputBuffer(settings.replayBytes(), settings.highWatermark(), settings.sendQueueBytes(), base);
    }

    private static void abandon(DeviceSshConnector.DeviceConnection connection, SessionRecording recording) {
        connection.close();
        if (recording != null) {
            recording.close();
        }
    }

    private TerminalSession started(TerminalSession session, long tokenVersion, String apiTokenId, SessionRecording recording) {
        session.tokenVersion(tokenVersion);
        session.apiTokenId(apiTokenId);
        session.record(recording);
        sessions.put(session.id(), session);
        try {
            session.startPump();
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        return session;
    }

    private void closed(TerminalSession session) {
        // Ended for good: the row goes first, so nobody who no longer finds the session here finds its
        // row and tries to resume a shell that is ending. A handed-over (or killed) relay's row stays.
        if (!session.handedOver() && sessions.get(session.id()) == session) {
            try {
                store.remove(session.id());
            } catch (RuntimeException e) { // a stale row only means a later resume finds no shell
                log.warn("could not forget ended session {}: {}", session.id(), e.toString());
            }
        }
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

    /** Hands every session over: browsers resume elsewhere (or here after a restart), devices keep the shells. */
    public void handOverAll(String reason) {
        for (TerminalSession s : all()) {
            s.handOver(reason);
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

    public SessionTraffic traffic() {
        return traffic;
    }

    public Collection<TerminalSession> all() {
        return List.copyOf(sessions.values());
    }

    @Override
    public void close() {
        expiry.close();
        governor.stop();
        for (TerminalSession s : all()) {
            s.close();
        }
    }
}
