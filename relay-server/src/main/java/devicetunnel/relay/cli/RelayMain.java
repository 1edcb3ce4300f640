package devicetunnel.relay.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code relay-server serve | user ... | device ... | enroll ... | db ...}. */
@Command(name = "relay-server", mixinStandardHelpOptions = true, version = "0.1.0",
        description = "The device-tunnel relay.",
        footer = "Options also come from the environment variables shown as their defaults; secrets only from files.",
        subcommands = {ServeCommand.class, UserCommand.class, DeviceCommand.class, EnrollCommand.class, DbCommand.class,
                CommandLine.HelpCommand.class})
public final class RelayMain {
    private RelayMain() {}

    public static void main(String[] args) {
        int code = commandLine().execute(args.length == 0 ? new String[] {"serve"} : args);
        System.exit(code);
    }

    /** The command line with its error handling, without exiting (tests run commands in-process). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RelayMain());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("relay-server: " + devicetunnel.protocol.PlainWords.of(e));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cli;
    }
}
