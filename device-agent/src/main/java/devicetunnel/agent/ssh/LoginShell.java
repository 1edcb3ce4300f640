package devicetunnel.agent.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the command for an interactive login shell of the user sessions run as. */
public final class LoginShell {
    private LoginShell() {}

    /** {@code configured}: --shell, if given; otherwise the session user's login shell, or the agent's. */
    public static List<String> command(String configured, SessionUser user) {
        String shell = configured;
        if (shell == null || shell.isBlank()) {
            shell = user.loginShell() != null ? user.loginShell() : fromPasswd(System.getProperty("user.name"));
        }
        if (shell == null || !Files.isExecutable(Path.of(shell))) {
            shell = System.getenv("SHELL");
        }
        if (shell == null || !Files.isExecutable(Path.of(shell))) {
            shell = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";
        }
        return List.of(shell, "-l");
    }

    private static String fromPasswd(String user) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] fields = line.split(":");
                if (fields.length >= 7 && fields[0].equals(user)) {
                    return fields[6];
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to $SHELL
        }
        return null;
    }
}
