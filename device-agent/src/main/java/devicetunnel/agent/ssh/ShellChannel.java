package devicetunnel.agent.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * One SSH shell channel showing a {@link PtyShell}. For the relay's terminal sessions the channel
 * names the session ({@value #SESSION_ENV}); then the shell outlives a channel that drops (the
 * relay died or its link broke) and a later channel resumes it with {@value #RESUME_ENV}=N: it
 * first gets {@code devtunnel-resumed <offset>\n} on its stderr (where the missed output starts;
 * a PTY never writes stderr), then that output, then the live shell. A channel that ends with
 * an EOF from the relay is a hang-up: the shell ends with it. Other shells (an operator's own
 * OpenSSH) end with their channel, as with any SSH server, and read end-of-file when the
 * client's input ends ({@code ssh -tt device < script}).
 *
 * <p>Owns one thread, {@code pty-in}, copying the channel's input to the PTY.
 */
final class ShellChannel implements Command {
    static final String SESSION_ENV = "DEVTUNNEL_SESSION";
    static final String RESUME_ENV = "DEVTUNNEL_RESUME_OFFSET";
    private static final Map<String, String> TERMINAL_DEFAULTS = Map.of("TERM", "xterm-256color", "LANG", "C.UTF-8");

    private final List<String> command;
    private final SessionUser user;
    private final ShellRegistry shells;
    private final boolean trustedRelay;
    /** Orders writes to the channel: a resume's replay before live output. */
    private final Object writeLock = new Object();
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exitCallback;
    private ChannelSession channel;
    private volatile PtyShell shell;
    private volatile boolean finished;

    /** @param trustedRelay the connection was authenticated by the relay's key: only then may it name or resume sessions */
    ShellChannel(List<String> command, SessionUser user, ShellRegistry shells, boolean trustedRelay) {
        this.command = command;
        this.user = user;
        this.shells = shells;
        this.trustedRelay = trustedRelay;
    }

    @Override public void setInputStream(InputStream in) { this.in = in; }
    @Override public void setOutputStream(OutputStream out) { this.out = out; }
    @Override public void setErrorStream(OutputStream err) { this.err = err; }
    @Override public void setExitCallback(ExitCallback callback) { this.exitCallback = callback; }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        this.channel = channel;
        Map<String, String> requested = env.getEnv();
        String sessionId = trustedRelay ? requested.get(SESSION_ENV) : null;
        String resume = sessionId == null ? null : requested.get(RESUME_ENV);
        int cols = parse(requested.get(Environment.ENV_COLUMNS), 80);
        int rows = parse(requested.get(Environment.ENV_LINES), 24);
        if (resume != null) {
            shell = shells.find(sessionId).orElseThrow(() -> new IOException("no shell for that session on this device (it ended or the agent restarted)"));
            shell.resize(cols, rows);
        } else {
            shell = shells.start(user.launch(command, ClientEnvironment.allowed(requested), TERMINAL_DEFAULTS), cols, rows, sessionId);
        }
        env.addSignalListener((ch, signal) -> shell.resize(parse(env.getEnv().get(Environment.ENV_COLUMNS), 80),
                parse(env.getEnv().get(Environment.ENV_LINES), 24)), Signal.WINCH);
        PtyShell.Attachment attachment;
        synchronized (writeLock) {
            attachment = shell.attach(this, resume == null ? 0 : parseOffset(resume));
            if (resume != null) {
                err.write(("devtunnel-resumed " + attachment.missed().start() + "\n").getBytes(StandardCharsets.US_ASCII));
                err.flush();
            }
            if (attachment.missed().bytes().length > 0) {
                out.write(attachment.missed().bytes());
                out.flush();
            }
        }
        if (attachment.exitStatus() != null) {
            exited(attachment.exitStatus(), null);
            return;
        }
        Threads.start("pty-in-" + shell.pid(), this::copyInput);
    }

    /** Live output from the shell (its output thread). */
    void output(byte[] data) {
        try {
            synchronized (writeLock) {
                out.write(data);
                out.flush();
            }
        } catch (IOException e) {
            // the channel is going; the shell keeps its output in its ring for a resume
        }
    }

    /** The relay's notice for the operator, printed by the shell's terminal as its own line (off the SSH thread: it may wait for the window). */
    void notice(String text) {
        PtyShell s = shell;
        if (s != null && !finished) {
            Threads.start("pty-notice-" + s.pid(), () -> s.notice(text));
        }
    }

    /** The shell ended while this channel showed it. */
    void exited(int status, String message) {
        if (finished) {
            return;
        }
        finished = true;
        if (message != null) {
            try {
                synchronized (writeLock) {
                    out.write(("\r\n" + message + "\r\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                // channel already gone: the exit status below is all the relay gets
            }
        }
        exitCallback.onExit(status);
    }

    /** Another channel took the shell over (a relay resumed it while this one was still half open). */
    void replaced() {
        finished = true;
        channel.close(false);
    }

    private void copyInput() {
        byte[] buffer = new byte[8 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                shell.write(buffer, n);
            }
        } catch (IOException e) {
            // channel closed
        }
        if (!channel.isEofSignalled()) {
            return;
        }
        if (shell.sessionId() != null) {
            shell.hangUpGently(); // the relay's EOF means the operator closed the terminal: SIGTERM, as sshd's hang-up
        } else {
            // A client whose input ran out (ssh -tt host < script): the shell finishes what it was sent and then
            // reads end-of-file, as at a terminal. A signal here could land before the shell has even started.
            shell.endOfInput();
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        PtyShell s = shell;
        if (s == null) {
            return;
        }
        if (s.sessionId() != null && !channel.isEofSignalled()) {
            shells.detached(s, s.detach(this)); // dropped, not closed: kept for a resume
        } else {
            s.kill();
        }
    }

    private static long parseOffset(String value) throws IOException {
        try {
            long offset = Long.parseLong(value);
            if (offset >= 0) {
                return offset;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IOException(RESUME_ENV + " must be a non-negative integer");
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
