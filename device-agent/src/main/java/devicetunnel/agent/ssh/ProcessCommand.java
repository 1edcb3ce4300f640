package devicetunnel.agent.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * A session process without a PTY, stdout and stderr kept apart: an exec request ({@code sh -c <command>})
 * or, when sessions run as another user, the SFTP subsystem (OpenSSH's sftp-server).
 *
 * <p>Threads: owns four per command, {@code exec-out}, {@code exec-err}, {@code exec-in} and {@code exec-wait}.
 */
final class ProcessCommand implements Command {
    private final List<String> command;
    private final SessionUser user;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exitCallback;
    private volatile Process process;

    ProcessCommand(List<String> command, SessionUser user) {
        this.command = command;
        this.user = user;
    }

    static ProcessCommand exec(String commandLine, SessionUser user) {
        return new ProcessCommand(List.of("/bin/sh", "-c", commandLine), user);
    }

    @Override public void setInputStream(InputStream in) { this.in = in; }
    @Override public void setOutputStream(OutputStream out) { this.out = out; }
    @Override public void setErrorStream(OutputStream err) { this.err = err; }
    @Override public void setExitCallback(ExitCallback callback) { this.exitCallback = callback; }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        SessionUser.Launch launch = user.launch(command, ClientEnvironment.allowed(env.getEnv()));
        ProcessBuilder builder = new ProcessBuilder(launch.command()).directory(launch.directory().toFile());
        builder.environment().clear();
        builder.environment().putAll(launch.environment());
        process = builder.start();
        Thread stdout = Threads.start("exec-out", () -> copy(process.getInputStream(), out));
        Thread stderr = Threads.start("exec-err", () -> copy(process.getErrorStream(), err));
        Threads.start("exec-in", () -> copyAndClose(in, process.getOutputStream()));
        Threads.start("exec-wait", () -> {
            int status;
            try {
                status = process.waitFor();
                stdout.join();
                stderr.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 130;
            }
            exitCallback.onExit(status);
        });
    }

    private static void copy(InputStream from, OutputStream to) {
        byte[] buffer = new byte[64 * 1024];
        try {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // channel or process gone
        }
    }

    private static void copyAndClose(InputStream from, OutputStream to) {
        copy(from, to);
        try {
            to.close(); // EOF to the process's stdin
        } catch (IOException e) {
            // process already gone
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process p = process;
        if (p != null) {
            // sh -c leaves its children running (and holding our pipes open): end the whole tree.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
