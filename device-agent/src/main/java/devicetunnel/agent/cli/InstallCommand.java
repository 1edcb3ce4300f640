package devicetunnel.agent.cli;

import devicetunnel.agent.link.RelayEndpoint;
import devicetunnel.agent.ssh.SessionUser;
import devicetunnel.protocol.KeyFiles;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code device-agent install}: makes this agent a systemd service. Creates the service user (a
 * system account) if needed, the state directory (0700, owned by that user) with the enrollment
 * token copied into it (0600; the unit names only the file), writes the unit, then asks systemd to
 * enable and start it. The unit runs this very JVM and class path.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Installs the agent as a systemd service (device-agent.service) and starts it. Run as root.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:installed (and started unless --no-start)", "1:systemctl failed",
                "2:bad arguments or a file could not be written", "3:files written, but systemd is not running here: not started"})
final class InstallCommand implements Callable<Integer> {
    static final String TOKEN_FILE = "enrollment.token";
    /** System property a launcher script sets to its own path (the .deb's /usr/bin/device-agent). */
    static final String LAUNCHER = "devtunnel.launcher";

    @Option(names = "--relay", required = true, description = "Relay base URL, e.g. https://relay.example.com.")
    String relay;

    @Option(names = "--enrollment-token-file", required = true,
            description = "File holding the enrollment token; it is copied into the state directory (0600).")
    Path tokenFile;

    @Option(names = "--device-id", description = "The id the device enrolls under. Default: this machine's host name.")
    String deviceId;

    @Option(names = "--user", defaultValue = "devtunnel",
            description = "Account the service runs as, created as a system user if missing (sessions run as it unless "
                    + "--shell-user). Default: ${DEFAULT-VALUE}.")
    String user;

    @Option(names = "--shell-user", description = "Run sessions as this user instead (the service then runs as root).")
    String shellUser;

    @Option(names = "--state-dir", defaultValue = "/var/lib/device-agent", description = "Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    @Option(names = "--unit-dir", defaultValue = "/etc/systemd/system", description = "Default: ${DEFAULT-VALUE}.")
    Path unitDir;

    @Option(names = "--ca-file", description = "PEM CA certificate(s) for the relay's TLS certificate (the unit names this file).")
    Path caFile;

    @Option(names = "--no-start", description = "Write the files (and enable the unit if systemd runs) but do not start it.")
    boolean noStart;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RelayEndpoint.parse(relay, false); // refuses a malformed or plain-http non-loopback URL before anything is written
        if (SessionUser.currentUid() != 0) {
            throw new IllegalArgumentException("install must run as root (it writes a unit and creates a user)");
        }
        String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IllegalArgumentException(tokenFile + " is empty");
        }
        if (shellUser != null) {
            SessionUser.named(shellUser); // refuses an unknown user now rather than in a restart loop
            if (!spec.commandLine().getParseResult().hasMatchedOption("--user")) {
                user = "root";
            }
        }
        String id = deviceId != null ? deviceId : InetAddress.getLocalHost().getHostName();
        stateDir = stateDir.toAbsolutePath().normalize();
        SessionUser.Account account = ensureUser(out);

        Files.createDirectories(stateDir);
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
        Path tokenCopy = stateDir.resolve(TOKEN_FILE);
        KeyFiles.writePrivate(tokenCopy, (token + "\n").getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.walk(stateDir)) { // a re-install under another user hands everything over
            for (Path p : files.toList()) {
                chown(p, account);
            }
        }
        Path unit = unitDir.resolve(SystemdUnit.NAME);
        writeUnit(unit, SystemdUnit.render(id, account.name(), stateDir, execStart(id, tokenCopy)));
        out.printf("wrote %s (runs as %s), state directory %s (0700, owner %s)%n", unit, account.name(), stateDir, account.name());

        String unavailable = Systemd.unavailable();
        if (unavailable != null) {
            out.printf("systemd is not running here (%s): the unit was written but not enabled%s.%n", unavailable,
                    noStart ? "" : " and the agent was NOT started");
            out.flush();
            return noStart ? 0 : 3;
        }
        out.flush();
        if (Systemd.systemctl("daemon-reload") != 0
                || (noStart ? Systemd.systemctl("enable", SystemdUnit.NAME) : Systemd.systemctl("enable", "--now", SystemdUnit.NAME)) != 0) {
            spec.commandLine().getErr().println("device-agent: systemctl failed (see above); the files are in place");
            return 1;
        }
        out.println(noStart ? "enabled " + SystemdUnit.NAME + " (not started: --no-start)"
                : "started " + SystemdUnit.NAME + "; check it with: device-agent status --state-dir " + stateDir);
        return 0;
    }

    /**
     * What systemd will run: the launcher script that started us (the Debian package's
     * /usr/bin/device-agent names itself in {@link #LAUNCHER}), so a Java upgrade does not break the
     * unit; else this JVM with the launcher's options ({@link ServiceJvmOptions}) and this class path
     * (absolute). Then the agent's options.
     */
    private List<String> execStart(String id, Path tokenCopy) {
        List<String> command = new ArrayList<>();
        String launcher = System.getProperty(LAUNCHER);
        if (launcher != null && !launcher.isBlank()) {
            command.add(Path.of(launcher).toAbsolutePath().normalize().toString());
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ServiceJvmOptions.OPTIONS);
            command.add("-cp");
            List<String> classPath = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                classPath.add(Path.of(entry).toAbsolutePath().normalize().toString());
            }
            command.add(String.join(File.pathSeparator, classPath));
            command.add(AgentMain.class.getName());
        }
        command.addAll(List.of("--relay", relay, "--device-id", id, "--state-dir", stateDir.toString(),
                "--enrollment-token-file", tokenCopy.toString()));
        if (shellUser != null) {
            command.addAll(List.of("--shell-user", shellUser));
        }
        if (caFile != null) {
            command.addAll(List.of("--ca-file", caFile.toAbsolutePath().toString()));
        }
        return command;
    }

    private SessionUser.Account ensureUser(PrintWriter out) throws IOException, InterruptedException {
        var existing = SessionUser.lookUp(user);
        if (existing.isPresent()) {
            return existing.get();
        }
        // A system account whose home is the state directory; it needs a real shell, since sessions run as it.
        String shell = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";
        Process useradd = new ProcessBuilder("useradd", "--system", "--user-group", "--home-dir", stateDir.toString(),
                "--no-create-home", "--shell", shell, user).inheritIO().start();
        if (!useradd.waitFor(1, TimeUnit.MINUTES) || useradd.exitValue() != 0) {
            throw new IOException("useradd " + user + " failed");
        }
        out.printf("created system user %s%n", user);
        return SessionUser.lookUp(user).orElseThrow(() -> new IOException("user " + user + " not found after useradd"));
    }

    private static void chown(Path path, SessionUser.Account account) throws IOException {
        UserPrincipalLookupService names = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(names.lookupPrincipalByName(account.name()));
        view.setGroup(names.lookupPrincipalByGroupName(String.valueOf(account.gid())));
    }

    /** 0644 like any unit, replaced whole. */
    private static void writeUnit(Path unit, String text) throws IOException {
        Files.createDirectories(unit.getParent());
        Path tmp = unit.resolveSibling(unit.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, unit, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
