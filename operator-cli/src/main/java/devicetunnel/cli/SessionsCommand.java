package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code devtunnel sessions}: your open terminal sessions (all of them for an admin), to share one;
 * {@code --shared-with-me}: the sessions others shared with you by name, to watch one.
 */
@Command(name = "sessions", mixinStandardHelpOptions = true,
        description = "Your open terminal sessions (an admin's: everyone's), or those shared with you.")
final class SessionsCommand implements Callable<Integer> {
    @ParentCommand
    DevtunnelMain main;

    @Spec
    CommandSpec spec;

    @Option(names = "--shared-with-me", description = "Sessions others shared with you by name (devtunnel watch SESSION).")
    boolean sharedWithMe;

    @Option(names = "--json", description = "Print the relay's JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        LoggedIn in = LoggedIn.of(main);
        JsonNode list = in.get(sharedWithMe ? "/api/v1/shared-sessions" : "/api/v1/sessions");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(list);
            return 0;
        }
        if (sharedWithMe) {
            out.printf("%-36s %-24s %-16s %-5s %s%n", "SESSION", "DEVICE", "OWNER", "MODE", "UNTIL");
            for (JsonNode s : list) {
                out.printf("%-36s %-24s %-16s %-5s %s%n", s.path("sessionId").asText(), s.path("deviceId").asText(),
                        s.path("owner").asText(), s.path("mode").asText(),
                        s.path("expiresAt").isNull() ? "the session ends" : s.path("expiresAt").asText());
            }
        } else {
            out.printf("%-36s %-24s %-16s %-24s %s%n", "SESSION", "DEVICE", "OPERATOR", "STARTED", "ATTACHED");
            for (JsonNode s : list) {
                out.printf("%-36s %-24s %-16s %-24s %s%n", s.path("id").asText(), s.path("deviceId").asText(),
                        s.path("operator").asText(), s.path("startedAt").asText(), s.path("attached").asBoolean() ? "yes" : "no");
            }
        }
        return 0;
    }
}
