package devicetunnel.agent.ssh;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.common.channel.PtyMode;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shell on a real PTY (pty4j). Two threads copy bytes, each blocking on its own stream, so
 * nothing polls: output waits for the SSH window (backpressure reaches the PTY), input waits for
 * the channel. Window-change requests resize the PTY.
 */
final class PtyShell implements Command {
    /** The kernel's line discipline hands out at most 4 KiB per read. */
    private static final int PTY_READ_BYTES = 4096;

    private static final Logger log = LoggerFactory.getLogger(PtyShell.class);

    private final List<String> command;
    private final Consumer<PtyShell> onEnd;
    private volatile String hangUpMessage;
    private InputStream in;
    private OutputStream out;
    private ExitCallback exitCallback;
    private volatile PtyProcess process;

    PtyShell(List<String> command, Consumer<PtyShell> onEnd) {
        this.command = command;
        this.onEnd = onEnd;
    }

    /**
     * Ends the shell because the agent is going away: the process is killed, then the operator
     * reads {@code message} before the channel reports the exit status.
     */
    void hangUp(String message) {
        hangUpMessage = message;
        PtyProcess p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    @Override public void setInputStream(InputStream in) { this.in = in; }
    @Override public void setOutputStream(OutputStream out) { this.out = out; }
    @Override public void setErrorStream(OutputStream err) { /* a PTY merges stderr into output */ }
    @Override public void setExitCallback(ExitCallback callback) { this.exitCallback = callback; }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        Map<String, String> vars = new HashMap<>(System.getenv());
        vars.putAll(ClientEnvironment.allowed(env.getEnv()));
        vars.putIfAbsent("TERM", "xterm-256color");
        vars.putIfAbsent("LANG", "C.UTF-8");
        int cols = parse(env.getEnv().get(Environment.ENV_COLUMNS), 80);
        int rows = parse(env.getEnv().get(Environment.ENV_LINES), 24);
        process = new PtyProcessBuilder(command.toArray(String[]::new))
                .setEnvironment(vars)
                .setDirectory(System.getProperty("user.home"))
                .setInitialColumns(cols)
                .setInitialRows(rows)
                .setConsole(false)
                .start();
        env.addSignalListener((ch, signal) -> resize(env), Signal.WINCH);
        if (env.getPtyModes().containsKey(PtyMode.ECHO)) {
            log.debug("client sent pty modes; the PTY keeps its own line discipline");
        }
        Thread output = Threads.start("pty-out", () -> copyOutput(process.getInputStream()));
        Threads.start("pty-in", () -> copyInput(process.getOutputStream()));
        Threads.start("pty-wait", () -> awaitExit(output));
    }

    private void resize(Environment env) {
        PtyProcess p = process;
        if (p != null && p.isAlive()) {
            int cols = parse(env.getEnv().get(Environment.ENV_COLUMNS), 80);
            int rows = parse(env.getEnv().get(Environment.ENV_LINES), 24);
            p.setWinSize(new WinSize(cols, rows));
        }
    }

    private void copyOutput(InputStream ptyOut) {
        // pty4j allocates a fresh array of the requested size on every read: asking for more than
        // the kernel hands out only makes garbage (64 KiB per keystroke echo, before this).
        byte[] buffer = new byte[PTY_READ_BYTES];
        try {
            int n;
            while ((n = ptyOut.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // EIO once the child has exited and the PTY is gone: normal end of output.
        }
    }

    private void copyInput(OutputStream ptyIn) {
        byte[] buffer = new byte[8 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                ptyIn.write(buffer, 0, n);
                ptyIn.flush();
            }
        } catch (IOException e) {
            // channel closed
        }
        // Client closed its input (EOF): hang up the shell like a terminal would.
        PtyProcess p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
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
        String message = hangUpMessage;
        if (message != null && !output.isAlive()) {
            try {
                out.write(("\r\n" + message + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                // channel already gone: the exit status below is all the relay gets
            }
        }
        exitCallback.onExit(status);
        closeStreams();
        onEnd.accept(this);
    }

    /** pty4j leaves the PTY master and its pipes open until GC unless the streams are closed. */
    private void closeStreams() {
        PtyProcess p = process;
        for (java.io.Closeable c : new java.io.Closeable[] {p.getInputStream(), p.getOutputStream(), p.getErrorStream()}) {
            try {
                c.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        PtyProcess p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    private static int parse(String value, int fallback) {
        try {
            int n = Integer.parseInt(value);
            return n > 0 && n <= 10_000 ? n : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
