package devicetunnel.relay.support;

import devicetunnel.cli.DevtunnelMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An operator at their own terminal: the devtunnel CLI with an isolated config dir, and the stock
 * OpenSSH client tools run against the config {@code devtunnel ssh-config} wrote. ssh starts the CLI
 * (as ProxyCommand and for the certificate) in child JVMs through a small launcher script, the way
 * bin/devtunnel does for a real install. HOME points into the test dir so ~/.ssh is never touched.
 */
public final class OperatorCli {
    private final Path dir;
    private final Path configDir;
    private final Path launcher;
    private final Path home;

    public record Result(int exitCode, String stdout, String stderr) {}

    public OperatorCli(Path dir) throws IOException {
        this.dir = dir;
        this.configDir = dir.resolve("devtunnel-config");
        this.home = Files.createDirectories(dir.resolve("home"));
        this.launcher = dir.resolve("devtunnel");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(launcher, "#!/bin/sh\nexec " + quote(java) + " -XX:+UseSerialGC -cp "
                + quote(System.getProperty("java.class.path")) + " devicetunnel.cli.DevtunnelMain \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
    }

    public Path configDir() {
        return configDir;
    }

    /** Runs a devtunnel command in this JVM and returns its exit code. */
    public int devtunnel(String... args) {
        List<String> all = new ArrayList<>(List.of("--config-dir", configDir.toString()));
        all.addAll(List.of(args));
        return DevtunnelMain.run(all.toArray(String[]::new));
    }

    /** Runs a devtunnel command in this JVM and returns its exit code with what it printed. */
    public Result devtunnelOutput(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        List<String> all = new ArrayList<>(List.of("--config-dir", configDir.toString()));
        all.addAll(List.of(args));
        int code = DevtunnelMain.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Starts a long-running devtunnel command (watch) in a lean child JVM, as a terminal would run it;
     * its output goes to {@code <name>.out/.err} in the test dir, stdin is {@code stdin} (null: /dev/null).
     */
    public Process startDevtunnel(String name, Path stdin, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "devicetunnel.cli.DevtunnelMain", "--config-dir", configDir.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null")) : ProcessBuilder.Redirect.from(stdin.toFile()))
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        builder.environment().put("HOME", home.toString());
        return builder.start();
    }

    /** What a command started with {@link #startDevtunnel} printed so far on stdout ({@code out}) or stderr ({@code err}). */
    public String printed(String name, String stream) throws IOException {
        Path file = dir.resolve(name + "." + stream);
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** Writes {@code password} to a file for {@code --password-file}. */
    public Path passwordFile(String user, String password) throws IOException {
        Path passwordFile = dir.resolve("password-" + user);
        Files.writeString(passwordFile, password);
        return passwordFile;
    }

    public void login(String relayUrl, String user, String password) throws IOException {
        Path passwordFile = dir.resolve("password-" + user);
        Files.writeString(passwordFile, password);
        check(devtunnel("login", "--relay", relayUrl, "--username", user, "--password-file", passwordFile.toString()), "login");
    }

    /** Writes the ssh config (with known hosts) for the devices online now. */
    public void sshConfig() {
        check(devtunnel("ssh-config", "--command", launcher.toString()), "ssh-config");
    }

    public Path sshConfigFile() {
        return configDir.resolve("ssh_config");
    }

    /** Runs {@code tool} (ssh, scp, sftp) with the generated config, never asking anything. */
    public Result run(Duration timeout, String tool, String... args) throws Exception {
        Process process = start(tool, args);
        Path out = dir.resolve("last-" + tool + ".out");
        Path err = dir.resolve("last-" + tool + ".err");
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(tool + " did not finish within " + timeout + ": " + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Starts {@code tool} in the background; its output goes to {@code last-<tool>.out/.err} in the test dir. */
    public Process start(String tool, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/" + tool, "-F", sshConfigFile().toString(), "-o", "BatchMode=yes"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("last-" + tool + ".out").toFile())
                .redirectError(dir.resolve("last-" + tool + ".err").toFile());
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("SSH_AUTH_SOCK");
        return builder.start();
    }

    public Path stderrOf(String tool) {
        return dir.resolve("last-" + tool + ".err");
    }

    private static void check(int exitCode, String what) {
        if (exitCode != 0) {
            throw new IllegalStateException("devtunnel " + what + " failed with exit code " + exitCode);
        }
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
