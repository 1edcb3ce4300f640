package devicetunnel.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command made of subcommands only ({@code share}, {@code watchers}, {@code filters}): alone, it says which ones there are. */
abstract class GroupCommand implements Runnable {
    @ParentCommand
    DevtunnelMain main;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
