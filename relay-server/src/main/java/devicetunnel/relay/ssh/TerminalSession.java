package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.recording.SessionRecording;
import devicetunnel.relay.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.eclipse.jetty.util.thread.SerializedInvoker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One operator's shell on one device: an SSH shell channel whose output is pumped to whichever
 * browser websocket is attached. It outlives a dropped websocket for a grace period, so the browser
 * can resume from the last byte it saw.
 *
 * <p>Locking: the session's monitor guards its state only. Every call out to a viewer (a send, a
 * close) is queued on {@link #toViewer} while the monitor is held, so viewers see calls in state
 * order, and runs after the monitor is released: Jetty may call error and close callbacks
 * synchronously inside a send, and those come back into {@link #detach}. See "Locks" in
 * docs/ARCHITECTURE.md.
 *
 * <p>Threads: owns one, {@code terminal-<session id>}, pumping SSH channel output to the browser.
 *
 * <p>Shared sessions: besides the owner's browser, {@link Watcher}s (read-only, or joiners the
 * owner let type) get the same output; they are kept in {@link #audience}, under the same monitor.
 */
public final class TerminalSession {
    private static final Logger log = LoggerFactory.getLogger(TerminalSession.class);
    /** Replayed output goes out in frames no larger than this, each counted against the send queue. */
    private static final int REPLAY_FRAME_BYTES = 64 * 1024;

    private final String id;
    private final String operator;
    private final String deviceId;
    private final Instant startedAt = Instant.now();
    private final ClientSession ssh;
    private final ChannelShell channel;
    private final DeviceStream stream;
    private final OutputBuffer output;
    private final OutputStream input;
    private final ScheduledExecutorService scheduler;
    private final Duration grace;
    private final OutputGovernor governor;
    private final OutputGovernor.Pacer pacer;
    private final Consumer<TerminalSession> onClosed;
    /** Viewer calls, in the order the state changed; run by whichever thread queued first, never under a lock. */
    private final SerializedInvoker toViewer;
    private final AtomicLong bytesIn = new AtomicLong();
    private final SessionTraffic traffic;
    private final SessionAudience audience;

    private TerminalViewer viewer;
    private int transport;
    private String endMessage;
    private int endCloseCode;
    private ScheduledFuture<?> graceTimer;
    private boolean closed;
    /** Closed without a hang-up: the device keeps the shell for whichever relay resumes it. */
    private boolean handedOver;
    /** The next attach tells the browser that this relay took the session over from the device. */
    private boolean announceTakeOver;
    private volatile long tokenVersion = -1;
    private volatile String apiTokenId;
    /** Null when the device's sessions are not recorded. Set before the pump starts. */
    private volatile SessionRecording recording;

    TerminalSession(String id, String operator, String deviceId, ClientSession ssh, ChannelShell channel,
                    DeviceStream stream, OutputBuffer output, ScheduledExecutorService scheduler, Duration grace,
                    OutputGovernor governor, SessionTraffic traffic, Consumer<TerminalSession> onClosed) {
        this.traffic = traffic;
        this.audience = new SessionAudience(traffic);
        this.id = id;
        this.operator = operator;
        this.deviceId = deviceId;
        this.ssh = ssh;
        this.channel = channel;
        this.stream = stream;
        this.output = output;
        this.input = channel.getInvertedIn();
        this.scheduler = scheduler;
        this.grace = grace;
        this.governor = governor;
        this.pacer = governor.newPacer();
        this.onClosed = onClosed;
        this.toViewer = new SerializedInvoker("terminal-" + id);
    }

    public String id() { return id; }
    public String operator() { return operator; }
    /** The token version the session was opened with (TokenService.UNVERSIONED: not revocable by version). */
    public long tokenVersion() { return tokenVersion; }
    void tokenVersion(long version) { this.tokenVersion = version; }
    /** The API token the session was opened with, or null (a login). */
    public String apiTokenId() { return apiTokenId; }
    void apiTokenId(String id) { this.apiTokenId = id; }
    public String deviceId() { return deviceId; }
    public Instant startedAt() { return startedAt; }
    public long bytesOut() { return output.produced(); }
    public long bytesIn() { return bytesIn.get(); }
    /** Output bytes sent to the browser but not yet acknowledged (the flow-control window in use). */
    public long unacknowledged() { return output.unacknowledged(); }

    /** What this session holds in relay memory right now (the flow-control design bounds each part). */
    public BufferUse bufferUse() {
        int ssh;
        try {
            ssh = channel.getInvertedOut().available();
        } catch (IOException e) {
            ssh = 0;
        }
        return new BufferUse(output.ringBytes(), output.unacknowledged(), output.sendQueued(), ssh);
    }

    /**
     * @param replayRing      bytes of the replay ring (allocated up front)
     * @param unacknowledged  output the browser has not acknowledged yet (at most the high watermark plus one read)
     * @param sendQueued      output queued on the browser websocket, not yet written to its socket
     * @param sshBuffered     output the SSH channel received but the relay did not read (at most the SSH window)
     */
    public record BufferUse(long replayRing, long unacknowledged, long sendQueued, long sshBuffered) {
        /** Heap the session's output path can hold: the ring, the send queue and the SSH channel buffer. */
        public long total() {
            return replayRing + sendQueued + sshBuffered;
        }
    }

    /** Records this session from now on (before {@link #startPump}). */
    void record(SessionRecording recording) {
        this.recording = recording;
    }

    /** The recording of this session on this relay, if it is recorded. */
    public Optional<String> recordingId() {
        SessionRecording r = recording;
        return r == null ? Optional.empty() : Optional.of(r.id());
    }

    /** This session was resumed through the device after its relay went away: the browser is told once. */
    synchronized void resumedThroughDevice() {
        announceTakeOver = true;
    }

    void startPump() {
        Thread pump = new Thread(this::pumpOutput, "terminal-" + id);
        pump.setDaemon(true);
        pump.start();
    }

    private void pumpOutput() {
        byte[] buffer = new byte[32 * 1024];
        InputStream in = channel.getInvertedOut();
        try {
            int n;
            while (awaitRoom() && (n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    deliver(buffer, n);
                    traffic.sent(n);
                    if (!recorded(buffer, n)) {
                        break;
                    }
                    long pause = governor.delayNanos(pacer, n);
                    if (pause > 0) {
                        TimeUnit.NANOSECONDS.sleep(pause); // this session prints in bulk while others type
                    }
                }
            }
        } catch (IOException e) {
            // channel closed under us: decided below from the exit status
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS), 3_000);
        Integer status = channel.getExitStatus();
        if (status != null) {
            end(Json.write(Map.of("type", "exit", "status", status)), 1000);
        } else if (!isClosed()) {
            // The device's connection broke (a bad link, an outage, its relay path died): the agent
            // keeps the shell for its grace period, so the session stays resumable through the
            // device once it is back; only the browser's current connection ends.
            synchronized (this) {
                handedOver = true;
            }
            String reason = stream.closedReason().getNow(null);
            end(Json.error(ErrorCode.DEVICE_UNREACHABLE, "The connection to the device was lost"
                    + (reason == null ? "." : " (" + reason + ").")), ErrorCode.DEVICE_UNREACHABLE.closeCode());
        }
    }

    private boolean awaitRoom() throws InterruptedException {
        if (!output.hasRoom()) {
            traffic.stalled();
        }
        return output.awaitRoom();
    }

    /** False when a required recording failed: the session has been ended. */
    private boolean recorded(byte[] buffer, int n) {
        SessionRecording r = recording;
        if (r == null) {
            return true;
        }
        try {
            r.output(buffer, 0, n);
            return true;
        } catch (SessionRecording.RequiredRecordingFailed e) {
            terminate(ErrorCode.RECORDING_FAILED, ErrorCode.RECORDING_FAILED.defaultMessage() + " The session was ended.");
            return false;
        }
    }

    private void deliver(byte[] buffer, int n) {
        Runnable calls = null;
        List<Runnable> watcherCalls = new ArrayList<>();
        synchronized (this) {
            output.append(buffer, 0, n);
            if (!audience.isEmpty() && !audience.output(buffer, n, watcherCalls).isEmpty()) {
                calls = toViewer.offer(audienceToOwner()); // one fell behind and was dropped
            }
            if (viewer != null) {
                Runnable send = toViewer.offer(send(viewer, ByteBuffer.wrap(java.util.Arrays.copyOf(buffer, n))));
                calls = calls == null ? send : calls;
            }
        }
        run(calls);
        watcherCalls.forEach(this::run);
    }

    /**
     * A call that sends output to {@code to}, counted against the send-queue limit from now until
     * written. Called with the monitor held, so the count and the transport token match the state.
     */
    private Runnable send(TerminalViewer to, ByteBuffer data) {
        int token = transport;
        int n = data.remaining();
        output.queued(token, n);
        return () -> to.sendOutput(data, () -> output.written(token, n));
    }

    /** Runs the viewer calls this thread was handed by {@link SerializedInvoker#offer}; never under the monitor. */
    private void run(Runnable calls) {
        assert !Thread.holdsLock(this) : "viewer calls must not run under the session's lock";
        if (calls != null) {
            calls.run();
        }
    }

    /** The shell ended: tell the browser (now, or when it comes back within the grace period). */
    private void end(String message, int closeCode) {
        Runnable calls = null;
        boolean closeNow;
        List<Runnable> watcherCalls = new ArrayList<>();
        synchronized (this) {
            audience.endAll(message, closeCode, "session ended", watcherCalls);
            endMessage = message;
            endCloseCode = closeCode;
            closeNow = viewer != null;
            if (closeNow) {
                TerminalViewer v = viewer;
                viewer = null;
                calls = toViewer.offer(() -> v.sendControl(message),
                        () -> v.close(closeCode, closeCode == 1000 ? "session ended" : "device lost"));
            } else {
                startGraceTimer();
            }
        }
        try {
            if (closeNow) {
                close(); // first: the slot is free before the browser hears the shell ended (it may open the next at once)
            }
        } finally {
            run(calls);
            watcherCalls.forEach(this::run);
        }
    }

    /** Attaches a browser that has already received {@code offset} output bytes. */
    public void attach(TerminalViewer newViewer, long offset) {
        Runnable mine;
        boolean closeNow = false;
        synchronized (this) {
            List<Runnable> calls = new ArrayList<>();
            if (closed) { // ended between the lookup and now: say so rather than leave a silent terminal
                String message = endMessage != null ? endMessage : Json.error(ErrorCode.NOT_FOUND, "The session has ended.");
                int code = endMessage != null ? endCloseCode : ErrorCode.NOT_FOUND.closeCode();
                calls.add(() -> newViewer.sendControl(message));
                calls.add(() -> newViewer.close(code, "session ended"));
            } else {
                if (graceTimer != null) {
                    graceTimer.cancel(false);
                    graceTimer = null;
                }
                TerminalViewer old = viewer;
                if (old != null && old != newViewer) {
                    // A take-over, not a refusal: the old tab must say so and not try to win the session back.
                    calls.add(() -> old.close(ErrorCode.SESSION_MOVED.closeCode(), "session resumed elsewhere"));
                }
                transport = output.newTransport();
                replayTo(newViewer, offset, calls);
                if (endMessage != null) {
                    String message = endMessage;
                    int code = endCloseCode;
                    calls.add(() -> newViewer.sendControl(message));
                    calls.add(() -> newViewer.close(code, "session ended"));
                    closeNow = true;
                } else {
                    viewer = newViewer;
                    if (!audience.isEmpty()) {
                        calls.add(audienceToOwner());
                    }
                }
            }
            mine = toViewer.offer(calls.toArray(Runnable[]::new));
        }
        run(mine);
        if (closeNow) {
            close();
        }
    }

    /** Adds the calls that tell {@code to} where it resumes and send what it missed since {@code offset}. */
    private void replayTo(TerminalViewer to, long offset, List<Runnable> calls) {
        OutputBuffer.Replay replay = output.replayFrom(offset);
        String hello = Json.write(announceTakeOver
                ? Map.of("type", "session", "id", id, "offset", offset, "resumedThroughDevice", true)
                : Map.of("type", "session", "id", id, "offset", offset));
        announceTakeOver = false;
        calls.add(() -> to.sendControl(hello));
        if (replay.gap() > 0) {
            String gap = Json.write(Map.of("type", "gap", "bytes", replay.gap()));
            calls.add(() -> to.sendControl(gap));
        }
        byte[] missed = replay.bytes();
        for (int from = 0; from < missed.length; from += REPLAY_FRAME_BYTES) {
            calls.add(send(to, ByteBuffer.wrap(missed, from, Math.min(REPLAY_FRAME_BYTES, missed.length - from))));
        }
    }

    /** The browser's websocket went away; keep the shell for the grace period. */
    public synchronized void detach(TerminalViewer gone) {
        if (viewer == gone) {
            viewer = null;
            transport = output.newTransport();
            startGraceTimer();
        }
    }

    private void startGraceTimer() {
        if (graceTimer == null && !closed) {
            graceTimer = scheduler.schedule(this::close, grace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Whether a browser is attached right now (false while waiting out the grace period). */
    public synchronized boolean hasViewer() {
        return viewer != null;
    }

    public synchronized boolean isAttached(TerminalViewer v) {
        return viewer == v;
    }

    /** Writes operator input to the shell; may block while the device's SSH window is full (backpressure). */
    public void input(ByteBuffer data) throws IOException {
        governor.inputSeen(pacer);
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        synchronized (input) { // orders writers (live and early input); a leaf lock: MINA's write never enters this class
            input.write(bytes);
            input.flush();
        }
        bytesIn.addAndGet(bytes.length);
        traffic.received(bytes.length);
        SessionRecording r = recording;
        if (r != null) {
            try {
                r.input(bytes);
            } catch (SessionRecording.RequiredRecordingFailed e) {
                terminate(ErrorCode.RECORDING_FAILED, ErrorCode.RECORDING_FAILED.defaultMessage() + " The session was ended.");
            }
        }
    }

    public void ack(long bytes) {
        output.ack(bytes);
    }

    public void resize(int cols, int rows) throws IOException {
        channel.sendWindowChange(cols, rows);
        SessionRecording r = recording;
        if (r != null) {
            try {
                r.resize(cols, rows);
            } catch (SessionRecording.RequiredRecordingFailed e) {
                terminate(ErrorCode.RECORDING_FAILED, ErrorCode.RECORDING_FAILED.defaultMessage() + " The session was ended.");
            }
        }
    }

    // --- sharing: watchers beside the owner ---

    /** Someone joins through a share: the hello, what the replay ring holds, then live output. */
    public void watch(Watcher w, String hello) {
        Runnable mine = null;
        List<Runnable> watcherCalls = new ArrayList<>();
        synchronized (this) {
            if (closed || endMessage != null) {
                w.offerControl(Json.error(ErrorCode.NOT_FOUND, "The session has ended."), watcherCalls);
                w.offerClose(ErrorCode.NOT_FOUND.closeCode(), "session ended", watcherCalls);
            } else {
                OutputBuffer.Replay ring = output.replayFrom(0);
                audience.add(w, watcherCalls, hello, ring.bytes());
                mine = toViewer.offer(audienceToOwner());
            }
        }
        run(mine);
        watcherCalls.forEach(this::run);
    }

    /** The watcher's websocket went away; false when it was gone already (revoked, dropped, session ended). */
    public boolean unwatch(Watcher w) {
        Runnable mine;
        synchronized (this) {
            if (!audience.remove(w)) {
                return false;
            }
            mine = toViewer.offer(audienceToOwner());
        }
        run(mine);
        return true;
    }

    /** Ends one watcher at once: it gets {@code json}, then a close; false when it was not watching. */
    public boolean revoke(Watcher w, String json, int code, String reason) {
        Runnable mine;
        List<Runnable> watcherCalls = new ArrayList<>();
        synchronized (this) {
            if (!audience.remove(w)) {
                return false;
            }
            w.offerControl(json, watcherCalls);
            w.offerClose(code, reason, watcherCalls);
            mine = toViewer.offer(audienceToOwner());
        }
        run(mine);
        watcherCalls.forEach(this::run);
        return true;
    }

    /** The owner consents: this joiner may type from now on; false when it is not a joiner watching. */
    public boolean allowTyping(Watcher w) {
        Runnable mine;
        List<Runnable> watcherCalls = new ArrayList<>();
        synchronized (this) {
            if (w.mode() != Watcher.Mode.JOIN || audience.find(w.id()).orElse(null) != w) {
                return false;
            }
            w.allowTyping();
            w.offerControl(Json.write(Map.of("type", "typing", "allowed", true)), watcherCalls);
            mine = toViewer.offer(audienceToOwner());
        }
        run(mine);
        watcherCalls.forEach(this::run);
        return true;
    }

    public synchronized Optional<Watcher> watcher(String watcherId) {
        return audience.find(watcherId);
    }

    public synchronized List<Watcher> watchers() {
        return audience.all();
    }

    /** Whether {@code w} still watches (not revoked, dropped or ended). */
    public synchronized boolean isWatching(Watcher w) {
        return audience.find(w.id()).orElse(null) == w;
    }

    /** A call (made under the monitor, run after it) telling the owner's browser who watches now. */
    private Runnable audienceToOwner() {
        TerminalViewer v = viewer;
        String list = audience.listMessage();
        return () -> {
            if (v != null) {
                v.sendControl(list);
            }
        };
    }

    /**
     * Asks the device's shell to print {@code text} as a line of its own ({@code notice@devicetunnel},
     * which older agents ignore): everyone on the session sees it, and the recording keeps it.
     */
    public void notice(String text) {
        try {
            org.apache.sshd.common.util.buffer.Buffer request = ssh.createBuffer(
                    org.apache.sshd.common.SshConstants.SSH_MSG_CHANNEL_REQUEST, text.length() + 64);
            request.putUInt(channel.getRecipient());
            request.putString("notice@devicetunnel");
            request.putBoolean(false);
            request.putString(text);
            channel.writePacket(request);
        } catch (IOException e) {
            log.debug("notice to session {} not sent: {}", id, e.toString()); // the session is ending
        }
    }

    /** Marks the recording (an asciicast "m" event), if this session is recorded. */
    public void marker(String label) {
        SessionRecording r = recording;
        if (r != null) {
            r.marker(label);
        }
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Ends the session for a policy reason (idle, revoked): the browser gets the error, then the close. */
    public void terminate(ErrorCode code, String message) {
        terminate(code, message, code.closeCode());
    }

    /**
     * Ends the session on the relay's initiative (shutdown, limits): the browser gets {@code error}
     * and a close with {@code closeCode}; a detached session just ends.
     */
    public void terminate(ErrorCode error, String message, int closeCode) {
        Runnable calls = null;
        List<Runnable> watcherCalls = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            TerminalViewer v = viewer;
            viewer = null;
            String json = Json.error(error, message);
            if (v != null) {
                calls = toViewer.offer(() -> v.sendControl(json), () -> v.close(closeCode, message));
            }
            audience.endAll(json, closeCode, message, watcherCalls);
        }
        run(calls);
        watcherCalls.forEach(this::run);
        close();
    }

    /** EOF on the shell's input tells the agent the session ends for good (a dropped connection would keep the shell for a resume). */
    private void hangUp() {
        try {
            input.close();
        } catch (IOException e) {
            // the channel is gone already: so is the shell, or it waits out the agent's grace
        }
    }

    /**
     * The relay is going away (restart, rolling upgrade): the browser gets a plain close 1001, which
     * it answers by resuming (here after a restart, or on a sibling relay), and the device keeps
     * the shell and its output for that resume: no hang-up is sent.
     */
    public void handOver(String reason) {
        Runnable calls = null;
        List<Runnable> watcherCalls = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            handedOver = true;
            TerminalViewer v = viewer;
            viewer = null;
            if (v != null) {
                calls = toViewer.offer(() -> v.close(1001, reason));
            }
            audience.endAll(null, 1000, "the relay went away", watcherCalls); // a share does not outlive its relay
        }
        run(calls);
        watcherCalls.forEach(this::run);
        close();
    }

    /** Whether the session was closed to be resumed elsewhere rather than ended. */
    public synchronized boolean handedOver() {
        return handedOver;
    }

    /** Ends the session: closes the SSH channel and connection, and the device stream with them. */
    public void close() {
        Runnable calls = null;
        List<Runnable> watcherCalls = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            TerminalViewer v = viewer;
            viewer = null;
            if (v != null) {
                calls = toViewer.offer(() -> v.close(1000, "session closed"));
            }
            audience.endAll(null, 1000, "session closed", watcherCalls);
        }
        run(calls);
        watcherCalls.forEach(this::run);
        output.close();
        governor.release(pacer);
        SessionRecording r = recording;
        if (r != null) {
            r.close();
        }
        if (!handedOver()) {
            hangUp();
        }
        try {
            if (handedOver()) {
                ssh.close(true); // at once: a graceful channel close would send EOF, which ends the shell
            } else {
                channel.close(false);
                ssh.close(false);
            }
        } finally {
            stream.close();
        }
        log.debug("terminal session {} closed", id);
        onClosed.accept(this);
    }
}
