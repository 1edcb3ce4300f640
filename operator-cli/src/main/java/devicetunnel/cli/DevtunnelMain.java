package devicetunnel.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code devtunnel}: an operator's way into devices from their own terminal, through the relay. */
@Command(name = "devtunnel", mixinStandardHelpOptions = true, version = "devtunnel 0.1.0",
        description = "Reach devices behind a device-tunnel relay with your own OpenSSH client.",
        subcommands = {LoginCommand.class, DevicesCommand.class, ProxyCommand.class, SshConfigCommand.class,
                CertCommand.class, RunCommand.class, SessionsCommand.class, ShareCommand.class, WatchersCommand.class,
                WatchCommand.class, FiltersCommand.class})
public final class DevtunnelMain {

    @Option(names = "--config-dir", defaultValue = "${env:DEVTUNNEL_CONFIG_DIR}",
            description = "Where the login, SSH key, certificate and known hosts live (env DEVTUNNEL_CONFIG_DIR). "
                    + "Default: $XDG_CONFIG_HOME/devtunnel or ~/.config/devtunnel.")
    Path configDir;

    ConfigDir config() {
        return ConfigDir.resolve(configDir, System.getenv("XDG_CONFIG_HOME"), System.getProperty("user.home"));
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** Runs a command line with its own output and error writers (null: stdout, stderr), for tests that read them. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new DevtunnelMain());
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("devtunnel: " + devicetunnel.protocol.PlainWords.of(e));
            return e instanceof CliException ce ? ce.exitCode() : 1;
        });
        return cli.execute(args);
    }
}
