package devicetunnel.agent.ssh;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import devicetunnel.protocol.ByteRing;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A shell on a real PTY (pty4j) that can outlive the SSH channel showing it: its output goes to a
 * ring of the last {@link #RING_BYTES} (addressed by absolute offset, as the relay counts it) and
 * to the attached {@link ShellChannel}, if any. A relay that lost its connection (it died, it was
 * restarted, the device's link dropped) attaches a new channel and gets what it missed.
 *
 * <p>Threads: {@code pty-out} copies PTY output (it blocks on the attached channel's SSH window, so
 * backpressure reaches the shell; with nobody attached the ring simply keeps the newest output),
 * {@code pty-wait} waits for the exit. The monitor guards ring, viewer and exit status; channels are
 * called outside it.
 */
final class PtyShell {
    /** What a relay can replay after it lost the session: the same as its own replay ring. */
    static final int RING_BYTES = 1024 * 1024;
    /** The kernel's line discipline hands out at most 4 KiB per read. */
    private static final int PTY_READ_BYTES = 4096;
    /** VEOF in the default termios settings every PTY starts with. */
    private static final byte END_OF_FILE = 0x04;

    private final PtyProcess process;
    private final String sessionId;
    private final Consumer<PtyShell> onEnd;
    private final ByteRing ring = new ByteRing(RING_BYTES);
    /** Held while one piece of output goes to ring and channel, so notices and shell output keep one order in both. */
    private final Object emitting = new Object();
    private ShellChannel viewer;
    private Integer exitStatus;
    private long attachments;
    private volatile String hangUpMessage;

    /** What an attaching channel gets: the output it missed (from {@code missed.start()}) and the exit status if the shell ended. */
    record Attachment(ByteRing.Slice missed, Integer exitStatus) {}

    private PtyShell(PtyProcess process, String sessionId, Consumer<PtyShell> onEnd) {
        this.process = process;
        this.sessionId = sessionId;
        this.onEnd = onEnd;
    }

    /** @param sessionId the relay's session id when the shell may outlive its channel; null when it ends with it */
    static PtyShell start(SessionUser.Launch launch, int cols, int rows, String sessionId,
                          Consumer<PtyShell> onEnd) throws IOException {
        PtyProcess process = new PtyProcessBuilder(launch.command().toArray(String[]::new))
                .setEnvironment(launch.environment())
                .setDirectory(launch.directory().toString())
                .setInitialColumns(cols)
                .setInitialRows(rows)
                .setConsole(false)
                .start();
        PtyShell shell = new PtyShell(process, sessionId, onEnd);
        Thread output = Threads.start("pty-out-" + process.pid(), shell::copyOutput);
        Threads.start("pty-wait-" + process.pid(), () -> shell.awaitExit(output));
        return shell;
    }

    String sessionId() {
        return sessionId;
    }

    long pid() {
        return process.pid();
    }

    /** Makes {@code channel} the one that shows this shell; the previous one, if any, is closed. */
    Attachment attach(ShellChannel channel, long offset) {
        ShellChannel previous;
        Attachment attachment;
        synchronized (this) {
            attachment = new Attachment(ring.from(Math.min(offset, ring.produced())), exitStatus);
            previous = viewer;
            viewer = channel;
            attachments++;
        }
        if (previous != null && previous != channel) {
            previous.replaced();
        }
        return attachment;
    }

    /** The channel went away without ending the shell; returns a token {@link #stillDetached} checks later. */
    synchronized long detach(ShellChannel channel) {
        if (viewer == channel) {
            viewer = null;
        }
        return attachments;
    }

    /** Whether nobody attached since {@link #detach} returned {@code token}. */
    synchronized boolean stillDetached(long token) {
        return viewer == null && attachments == token;
    }

    synchronized boolean hasViewer() {
        return viewer != null;
    }

    void write(byte[] data, int length) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(data, 0, length);
        in.flush();
    }

    void resize(int cols, int rows) {
        if (process.isAlive()) {
            process.setWinSize(new WinSize(cols, rows));
        }
    }

    /**
     * Ends the shell because the agent is going away: the process is killed, then the operator
     * reads {@code message} before the channel reports the exit status.
     */
    void hangUp(String message) {
        hangUpMessage = message;
        kill();
    }

    /** SIGTERM: a shell reading a script finishes it first; an interactive one ignores it until the channel closes. */
    void hangUpGently() {
        if (process.isAlive()) {
            process.destroy();
        }
    }

    /** The terminal's end-of-file character (^D), queued behind the input already written. */
    void endOfInput() {
        try {
            write(new byte[] {END_OF_FILE}, 1);
        } catch (IOException e) {
            // the shell is gone already
        }
    }

    void kill() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /**
     * A line for the operator, shown as the terminal's own output (in the ring too, so a resume
     * replays it and offsets stay the relay's): bold, on a line of its own.
     */
    void notice(String text) {
        byte[] line = ("\r\n\u001b[1m[device-tunnel] " + text.replaceAll("\\p{Cntrl}", " ") + "\u001b[0m\r\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        emit(line, line.length);
    }

    private void emit(byte[] data, int n) {
        synchronized (emitting) { // not the monitor: the channel write below may wait for the SSH window
            ShellChannel to;
            synchronized (this) {
                ring.append(data, 0, n);
                to = viewer;
            }
            if (to != null) {
                to.output(Arrays.copyOf(data, n));
            }
        }
    }

    private void copyOutput() {
        // pty4j allocates a fresh array of the requested size on every read: asking for more than
        // the kernel hands out only makes garbage.
        byte[] buffer = new byte[PTY_READ_BYTES];
        try {
            int n;
            while ((n = process.getInputStream().read(buffer)) >= 0) {
                emit(buffer, n);
            }
        } catch (IOException e) {
            // EIO once the child has exited and the PTY is gone: normal end of output.
        }
    }

    private void awaitExit(Thread output) {
        int status;
        try {
            status = process.waitFor();
            output.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 130;
        }
        ShellChannel to;
        synchronized (this) {
            exitStatus = status;
            to = viewer;
        }
        if (to != null) {
            to.exited(status, output.isAlive() ? null : hangUpMessage);
        }
        closeStreams();
        onEnd.accept(this);
    }

    /** pty4j leaves the PTY master and its pipes open until GC unless the streams are closed. */
    private void closeStreams() {
        for (java.io.Closeable c : new java.io.Closeable[] {process.getInputStream(), process.getOutputStream(), process.getErrorStream()}) {
            try {
                c.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
