package devicetunnel.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A subcommand of {@code share}, {@code watchers} or {@code filters}: the logged-in relay and the console it prints to. */
abstract class GroupSubcommand implements Callable<Integer> {
    @ParentCommand
    GroupCommand parent;

    @Spec
    CommandSpec spec;

    LoggedIn loggedIn() {
        return LoggedIn.of(parent.main);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
