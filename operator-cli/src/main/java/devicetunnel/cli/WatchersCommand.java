package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code devtunnel watchers list|allow-typing|remove}: who watches one of your sessions, and what they may do. */
@Command(name = "watchers", mixinStandardHelpOptions = true,
        description = "Who watches your shared session; let a joiner type, or remove a watcher.",
        subcommands = {WatchersCommand.ListWatchers.class, WatchersCommand.AllowTyping.class, WatchersCommand.Remove.class})
final class WatchersCommand extends GroupCommand {

    static void print(PrintWriter out, JsonNode watchers) {
        out.printf("%-36s %-16s %-5s %s%n", "WATCHER", "USER", "MODE", "TYPING");
        for (JsonNode w : watchers) {
            out.printf("%-36s %-16s %-5s %s%n", w.path("id").asText(), w.path("user").asText(), w.path("mode").asText(),
                    w.path("typing").asBoolean() ? "yes" : "no");
        }
    }

    /** The watcher named by id, or by user name when that user watches once. */
    static String resolve(LoggedIn in, String sessionId, String who) {
        JsonNode watchers = in.get(ShareCommand.sharesPath(sessionId)).path("watchers");
        List<String> byUser = new ArrayList<>();
        for (JsonNode w : watchers) {
            if (w.path("id").asText().equals(who)) {
                return who;
            }
            if (w.path("user").asText().equals(who)) {
                byUser.add(w.path("id").asText());
            }
        }
        if (byUser.size() == 1) {
            return byUser.get(0);
        }
        throw new CliException(CliException.REFUSED, byUser.isEmpty()
                ? "no watcher '" + who + "' on this session (devtunnel watchers list " + sessionId + ")"
                : who + " watches " + byUser.size() + " times; name the watcher by id (devtunnel watchers list " + sessionId + ")");
    }

    static String watcherPath(String sessionId, String watcherId) {
        return "/api/v1/sessions/" + LoggedIn.id("session", sessionId) + "/watchers/" + LoggedIn.id("watcher", watcherId);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Who watches SESSION now.")
    static final class ListWatchers extends GroupSubcommand {
        @Parameters(index = "0", paramLabel = "SESSION")
        String sessionId;

        @Option(names = "--json", description = "Print the watchers as JSON: [{\"id\",\"user\",\"mode\",\"typing\",\"shareId\"}].")
        boolean json;

        @Override
        public Integer call() {
            JsonNode watchers = loggedIn().get(ShareCommand.sharesPath(sessionId)).path("watchers");
            PrintWriter out = out();
            if (json) {
                out.println(watchers);
            } else {
                print(out, watchers);
            }
            return 0;
        }
    }

    /** A subcommand that acts on one watcher of SESSION, named by id or user name. */
    abstract static class OneWatcher extends GroupSubcommand {
        @Parameters(index = "0", paramLabel = "SESSION")
        String sessionId;

        @Parameters(index = "1", paramLabel = "WATCHER", description = "The watcher's id, or their user name.")
        String who;

        String watcher(LoggedIn in) {
            return watcherPath(sessionId, resolve(in, sessionId, who));
        }
    }

    @Command(name = "allow-typing", mixinStandardHelpOptions = true,
            description = "Let a joiner (shared with --join) type in SESSION; their own rights must allow a shell on the device.")
    static final class AllowTyping extends OneWatcher {
        @Override
        public Integer call() {
            LoggedIn in = loggedIn();
            in.post(watcher(in) + "/typing", Map.of());
            out().printf("%s may type now.%n", who);
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "End one watcher of SESSION at once.")
    static final class Remove extends OneWatcher {
        @Override
        public Integer call() {
            LoggedIn in = loggedIn();
            in.delete(watcher(in));
            out().printf("Removed %s.%n", who);
            return 0;
        }
    }
}
