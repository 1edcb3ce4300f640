package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One operator's shell on one device: an SSH shell channel whose output is pumped to whichever
 * browser websocket is attached. It outlives a dropped websocket for a grace period, so the browser
 * can resume from the last byte it saw.
 */
public final class TerminalSession {
    private static final Logger log = LoggerFactory.getLogger(TerminalSession.class);

    private final String id;
    private final String operator;
    private final String deviceId;
    private final Instant startedAt = Instant.now();
    private final ClientSession ssh;
    private final ChannelShell channel;
    private final TcpWsAdapter adapter;
    private final OutputBuffer output;
    private final OutputStream input;
    private final ScheduledExecutorService scheduler;
    private final Duration grace;
    private final Consumer<TerminalSession> onClosed;

    private TerminalViewer viewer;
    private String endMessage;
    private int endCloseCode;
    private ScheduledFuture<?> graceTimer;
    private boolean closed;
    private long bytesIn;

    TerminalSession(String id, String operator, String deviceId, ClientSession ssh, ChannelShell channel,
                    TcpWsAdapter adapter, OutputBuffer output, ScheduledExecutorService scheduler, Duration grace,
                    Consumer<TerminalSession> onClosed) {
        this.id = id;
        this.operator = operator;
        this.deviceId = deviceId;
        this.ssh = ssh;
        this.channel = channel;
        this.adapter = adapter;
        this.output = output;
        this.input = channel.getInvertedIn();
        this.scheduler = scheduler;
        this.grace = grace;
        this.onClosed = onClosed;
    }

    public String id() { return id; }
    public String operator() { return operator; }
    public String deviceId() { return deviceId; }
    public Instant startedAt() { return startedAt; }
    public long bytesOut() { return output.produced(); }
    public synchronized long bytesIn() { return bytesIn; }
    /** Output bytes sent to the browser but not yet acknowledged (the flow-control window in use). */
    public long unacknowledged() { return output.unacknowledged(); }

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
            while (output.awaitRoom() && (n = in.read(buffer)) >= 0) {
                if (n > 0) {
                    deliver(buffer, n);
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
            String reason = adapter.closedReason().getNow(null);
            end(Json.error(ErrorCode.DEVICE_UNREACHABLE, "The connection to the device was lost"
                    + (reason == null ? "." : " (" + reason + ").")), ErrorCode.DEVICE_UNREACHABLE.closeCode());
        }
    }

    private synchronized void deliver(byte[] buffer, int n) {
        output.append(buffer, 0, n);
        if (viewer != null) {
            viewer.sendOutput(ByteBuffer.wrap(java.util.Arrays.copyOf(buffer, n)));
        }
    }

    /** The shell ended: tell the browser (now, or when it comes back within the grace period). */
    private synchronized void end(String message, int closeCode) {
        endMessage = message;
        endCloseCode = closeCode;
        if (viewer != null) {
            viewer.sendControl(message);
            viewer.close(closeCode, closeCode == 1000 ? "session ended" : "device lost");
            viewer = null;
            close();
        } else {
            startGraceTimer();
        }
    }

    /** Attaches a browser that has already received {@code offset} output bytes. */
    public synchronized void attach(TerminalViewer newViewer, long offset) {
        if (graceTimer != null) {
            graceTimer.cancel(false);
            graceTimer = null;
        }
        if (viewer != null && viewer != newViewer) {
            viewer.close(4409, "session resumed elsewhere");
        }
        OutputBuffer.Replay replay = output.replayFrom(offset);
        newViewer.sendControl(Json.write(Map.of("type", "session", "id", id, "offset", offset)));
        if (replay.gap() > 0) {
            newViewer.sendControl(Json.write(Map.of("type", "gap", "bytes", replay.gap())));
        }
        if (replay.bytes().length > 0) {
            newViewer.sendOutput(ByteBuffer.wrap(replay.bytes()));
        }
        if (endMessage != null) {
            newViewer.sendControl(endMessage);
            newViewer.close(endCloseCode, "session ended");
            close();
            return;
        }
        viewer = newViewer;
    }

    /** The browser's websocket went away; keep the shell for the grace period. */
    public synchronized void detach(TerminalViewer gone) {
        if (viewer == gone) {
            viewer = null;
            startGraceTimer();
        }
    }

    private void startGraceTimer() {
        if (graceTimer == null && !closed) {
            graceTimer = scheduler.schedule(this::close, grace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    public synchronized boolean isAttached(TerminalViewer v) {
        return viewer == v;
    }

    public void input(ByteBuffer data) throws IOException {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        synchronized (input) {
            input.write(bytes);
            input.flush();
        }
        synchronized (this) {
            bytesIn += bytes.length;
        }
    }

    public void ack(long bytes) {
        output.ack(bytes);
    }

    public void resize(int cols, int rows) throws IOException {
        channel.sendWindowChange(cols, rows);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Ends the session for a policy reason (idle, revoked): the browser gets the error, then the close. */
    public void terminate(ErrorCode code, String message) {
        TerminalViewer v;
        synchronized (this) {
            v = viewer;
            viewer = null;
        }
        if (v != null) {
            v.sendControl(Json.error(code, message));
            v.close(code.closeCode(), code.code());
        }
        close();
    }

    /** Ends the session: closes the SSH channel and connection, and the device stream with them. */
    public void close() {
        TerminalViewer v;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            v = viewer;
            viewer = null;
        }
        output.close();
        if (v != null) {
            v.close(1000, "session closed");
        }
        try {
            channel.close(false);
            ssh.close(false);
        } finally {
            adapter.close();
        }
        log.debug("terminal session {} closed", id);
        onClosed.accept(this);
    }
}
