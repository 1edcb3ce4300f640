package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code devtunnel share create|list|revoke}: the owner of a terminal session (opened in the
 * console) lets others watch it, read-only or as joiners who may type once allowed
 * ({@code devtunnel watchers allow-typing}). docs/API.md, "Sharing a session".
 */
@Command(name = "share", mixinStandardHelpOptions = true,
        description = "Share one of your terminal sessions by link or with one user; list and revoke shares.",
        subcommands = {ShareCommand.Create.class, ShareCommand.ListShares.class, ShareCommand.Revoke.class})
final class ShareCommand extends GroupCommand {

    static String sharesPath(String sessionId) {
        return "/api/v1/sessions/" + LoggedIn.id("session", sessionId) + "/shares";
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Share SESSION: a link (valid --minutes) that anyone logged in to the relay may open, "
                    + "or with one --user while the session lasts.",
                    "The link holds a secret and is shown once: pass it on privately."})
    static final class Create extends GroupSubcommand {
        @Parameters(index = "0", paramLabel = "SESSION", description = "Your session's id (devtunnel sessions).")
        String sessionId;

        @Option(names = "--user", paramLabel = "NAME", description = "Share with this user only (their labels must cover the device).")
        String user;

        @Option(names = "--minutes", paramLabel = "N",
                description = "How long the link admits newcomers (1-1440; default 15), or the share by user lasts (default: the session).")
        Integer minutes;

        @Option(names = "--join", description = "They may type once you allow it (devtunnel watchers allow-typing). Default: read-only.")
        boolean join;

        @Option(names = "--json", description = "Print the relay's answer as JSON (with \"url\", the whole link).")
        boolean json;

        @Override
        public Integer call() {
            LoggedIn in = loggedIn();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("mode", join ? "join" : "watch");
            if (minutes != null) {
                body.put("minutes", minutes);
            }
            if (user != null) {
                body.put("user", user);
            }
            JsonNode share = in.post(sharesPath(sessionId), body);
            PrintWriter out = out();
            String url = share.hasNonNull("link") ? in.relay().base() + share.get("link").asText() : null;
            if (json) {
                ObjectNode answer = share.deepCopy();
                if (url != null) {
                    answer.put("url", url);
                }
                out.println(answer);
                return 0;
            }
            String mode = join ? "may type once you allow it" : "read-only";
            if (url != null) {
                out.printf("Link (%s) admits newcomers until %s; shown once, pass it on privately:%n%s%n",
                        mode, share.path("expiresAt").asText(), url);
                out.println("Watch it with: devtunnel watch --link-file FILE (or paste it when asked)");
            } else {
                out.printf("Shared with %s (%s) %s%n", share.path("user").asText(), mode,
                        share.path("expiresAt").isNull() ? "while the session lasts" : "until " + share.path("expiresAt").asText());
                out.printf("They watch with: devtunnel watch %s%n", sessionId);
            }
            out.printf("Revoke with: devtunnel share revoke %s %s%n", sessionId, share.path("id").asText());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The shares of SESSION and who watches now.")
    static final class ListShares extends GroupSubcommand {
        @Parameters(index = "0", paramLabel = "SESSION")
        String sessionId;

        @Option(names = "--json", description = "Print the relay's JSON ({\"shares\",\"watchers\"}).")
        boolean json;

        @Override
        public Integer call() {
            JsonNode answer = loggedIn().get(sharesPath(sessionId));
            PrintWriter out = out();
            if (json) {
                out.println(answer);
                return 0;
            }
            out.printf("%-36s %-5s %-5s %-16s %s%n", "SHARE", "KIND", "MODE", "USER", "EXPIRES");
            for (JsonNode s : answer.path("shares")) {
                out.printf("%-36s %-5s %-5s %-16s %s%n", s.path("id").asText(), s.path("kind").asText(), s.path("mode").asText(),
                        s.path("user").asText("-"), s.path("expiresAt").isNull() ? "with the session" : s.path("expiresAt").asText());
            }
            WatchersCommand.print(out, answer.path("watchers"));
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a share: it admits nobody from now on, and everyone watching through it is ended at once.")
    static final class Revoke extends GroupSubcommand {
        @Parameters(index = "0", paramLabel = "SESSION")
        String sessionId;

        @Parameters(index = "1", paramLabel = "SHARE", description = "The share's id (devtunnel share list SESSION).")
        String shareId;

        @Override
        public Integer call() {
            loggedIn().delete(sharesPath(sessionId) + "/" + LoggedIn.id("share", shareId));
            out().printf("Revoked share %s.%n", shareId);
            return 0;
        }
    }
}
