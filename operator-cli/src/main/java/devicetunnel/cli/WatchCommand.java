package devicetunnel.cli;

import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code devtunnel watch}: someone's shared terminal session on this terminal, read-only. A share
 * link carries a secret, so it comes from a file, stdin or the terminal, never the command line
 * (where {@code ps} and shell history would keep it); a session shared with you by name needs
 * only its id.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Watch a shared terminal session here, read-only, until it ends or you press Ctrl-C.",
                "A share link: --link-file FILE (- for stdin), or paste it when asked. Shared with you by name: devtunnel watch SESSION."})
final class WatchCommand implements Callable<Integer> {
    @ParentCommand
    DevtunnelMain main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SESSION",
            description = "A session shared with you by name (devtunnel sessions --shared-with-me).")
    String sessionId;

    @Option(names = "--link-file", paramLabel = "FILE", defaultValue = "${env:DEVTUNNEL_SHARE_LINK_FILE}",
            description = "File holding the share link, - for stdin (env DEVTUNNEL_SHARE_LINK_FILE).")
    String linkFile;

    @Override
    public Integer call() throws Exception {
        if (sessionId != null && sessionId.contains("#")) {
            throw new CliException(CliException.USAGE, "a share link holds a secret: not on the command line, where others "
                    + "can read it; use --link-file FILE (- for stdin), or run devtunnel watch and paste it when asked");
        }
        LoggedIn in = LoggedIn.of(main);
        WatchLink link = link();
        String session = sessionId;
        if (link != null) {
            if (!link.isFor(in.relay().base())) {
                throw new CliException(CliException.USAGE, "the link is for " + link.relay() + ", but you are logged in to "
                        + in.session().relay() + " (devtunnel login --relay " + link.relay() + ")");
            }
            if (session != null && !session.equals(link.sessionId())) {
                throw new CliException(CliException.USAGE, "the link is for session " + link.sessionId() + ", not " + session);
            }
            session = link.sessionId();
        }
        String path = "/api/v1/sessions/" + LoggedIn.id("session", session) + "/watch"
                + (link == null ? "" : "?share=" + URLEncoder.encode(link.token(), StandardCharsets.UTF_8));
        TerminalWatch watch = new TerminalWatch(in.relay().http(), in.relay().websocket(path), in.session().token());
        // Ctrl-C ends the process; its closed connection is the relay's cue that this watcher left.
        return watch.run(new FileOutputStream(FileDescriptor.out), spec.commandLine().getErr());
    }

    /** The link from --link-file, or asked for on the terminal when no session was named; null for a share by name. */
    private WatchLink link() throws IOException {
        if (linkFile != null) {
            String text = linkFile.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(linkFile), StandardCharsets.UTF_8);
            return WatchLink.parse(text);
        }
        if (sessionId != null) {
            return null;
        }
        Console console = System.console();
        if (console == null) {
            throw new CliException(CliException.USAGE, "no share link: use --link-file FILE (- for stdin), "
                    + "or name a session shared with you");
        }
        char[] typed = console.readPassword("Share link: ");
        if (typed == null || typed.length == 0) {
            throw new CliException(CliException.USAGE, "no share link given");
        }
        return WatchLink.parse(new String(typed));
    }
}
