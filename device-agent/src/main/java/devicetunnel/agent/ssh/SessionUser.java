package devicetunnel.agent.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The account sessions run as. By default the agent's own (as before: its environment, its home);
 * with {@code --shell-user NAME} every shell and exec command (and SFTP, through OpenSSH's
 * {@code sftp-server}) is started through util-linux's {@code setpriv --reuid --regid
 * --init-groups}, so it gets that user's uid, gid and supplementary groups, a fresh environment
 * from the passwd entry (HOME, USER, LOGNAME, SHELL, PATH) and the home as working directory.
 * setpriv execs the command, so the PID the agent holds is the session's own.
 */
public final class SessionUser {
    private static final List<Path> SETPRIV = List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"));
    private static final List<Path> SFTP_SERVERS = List.of(Path.of("/usr/lib/openssh/sftp-server"),
            Path.of("/usr/libexec/openssh/sftp-server"), Path.of("/usr/libexec/sftp-server"), Path.of("/usr/lib/sftp-server"));

    /** One passwd entry. */
    public record Account(String name, int uid, int gid, Path home, String shell) {}

    /** A process to start: its argv, its environment, its working directory. */
    record Launch(List<String> command, Map<String, String> environment, Path directory) {}

    private final Account account;
    private final Path setpriv;
    private final Path sftpServer;

    private SessionUser(Account account, Path setpriv, Path sftpServer) {
        this.account = account;
        this.setpriv = setpriv;
        this.sftpServer = sftpServer;
    }

    /** Sessions run as the agent itself. */
    public static SessionUser agentItself() {
        return new SessionUser(null, null, null);
    }

    /**
     * Sessions run as {@code name}; refused (IllegalArgumentException, in words for the device owner)
     * when there is no such user, when the agent is not root and {@code name} is not the agent's own
     * user, or when setpriv is missing.
     */
    public static SessionUser named(String name) throws IOException {
        Account account = lookUp(name).orElseThrow(() -> new IllegalArgumentException(
                "--shell-user " + name + ": no such user on this device (getent passwd " + name + " finds nothing)"));
        int self = currentUid();
        if (self != 0 && self != account.uid()) {
            throw new IllegalArgumentException("--shell-user " + name + ": only an agent running as root can start "
                    + "sessions as another user (this agent runs as uid " + self + ")");
        }
        if (self == account.uid()) {
            return new SessionUser(account, null, findSftpServer());
        }
        Path setpriv = SETPRIV.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalArgumentException("--shell-user " + name + ": setpriv (util-linux) is not installed"));
        return new SessionUser(account, setpriv, findSftpServer());
    }

    /** The account's passwd entry through NSS ({@code getent}), so LDAP/systemd users count too. */
    public static Optional<Account> lookUp(String name) throws IOException {
        if (name.isEmpty() || name.startsWith("-") || name.contains(":") || name.contains("\n")) {
            return Optional.empty();
        }
        Process getent = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
        String line;
        try (var out = getent.getInputStream()) {
            line = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        try {
            if (!getent.waitFor(10, TimeUnit.SECONDS) || getent.exitValue() != 0) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while looking up " + name);
        }
        String[] f = line.split(":", -1);
        if (f.length < 7 || !f[0].equals(name)) {
            return Optional.empty();
        }
        return Optional.of(new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Path.of(f[5]), f[6]));
    }

    public static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    private static Path findSftpServer() {
        return SFTP_SERVERS.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** The configured account, if sessions do not simply run as the agent. */
    public Optional<Account> account() {
        return Optional.ofNullable(account);
    }

    /** The login shell to use when {@code --shell} is not given: the session user's. */
    public String loginShell() {
        return account == null ? null : account.shell();
    }

    /**
     * Whether SFTP must run as a separate process (OpenSSH's sftp-server, started like any session):
     * MINA's SFTP runs inside the agent, with the agent's rights, so it can serve only sessions
     * that run as the agent's own user.
     */
    boolean sftpNeedsProcess() {
        return setpriv != null;
    }

    /** OpenSSH's sftp-server, if installed (openssh-sftp-server on Debian). */
    Optional<Path> sftpServer() {
        return Optional.ofNullable(sftpServer);
    }

    /** How to start {@code command} for a session, with the client's allowed variables in {@code clientEnv}. */
    Launch launch(List<String> command, Map<String, String> clientEnv) {
        return launch(command, clientEnv, Map.of());
    }

    /** {@code defaults}: variables set when neither the client nor the session user's environment has them. */
    Launch launch(List<String> command, Map<String, String> clientEnv, Map<String, String> defaults) {
        Map<String, String> env = new HashMap<>();
        if (account == null) {
            env.putAll(System.getenv());
        } else {
            env.put("HOME", account.home().toString());
            env.put("USER", account.name());
            env.put("LOGNAME", account.name());
            env.put("SHELL", account.shell());
            env.put("PATH", account.uid() == 0 ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                    : "/usr/local/bin:/usr/bin:/bin");
        }
        env.putAll(clientEnv);
        defaults.forEach(env::putIfAbsent);
        Path home = account == null ? Path.of(System.getProperty("user.home")) : account.home();
        Path directory = Files.isDirectory(home) ? home : Path.of("/");
        List<String> argv = new ArrayList<>();
        if (setpriv != null) {
            argv.addAll(List.of(setpriv.toString(), "--reuid=" + account.uid(), "--regid=" + account.gid(), "--init-groups", "--"));
        }
        argv.addAll(command);
        return new Launch(List.copyOf(argv), env, directory);
    }
}
