package devicetunnel.agent.ssh;

import java.util.HashMap;
import java.util.Map;

/**
 * What an SSH client may set in a session's environment: the locale and the terminal type, like
 * OpenSSH's default {@code AcceptEnv LANG LC_*}. Anything else (PATH, LD_PRELOAD, PROMPT_COMMAND,
 * BASH_ENV...) would let a client change what the device's shell runs before the operator types.
 * MINA also puts {@code USER}, {@code COLUMNS} and {@code LINES} here; the shell reads the size
 * separately and keeps the agent's own {@code USER}.
 */
final class ClientEnvironment {
    private ClientEnvironment() {}

    static Map<String, String> allowed(Map<String, String> requested) {
        Map<String, String> kept = new HashMap<>();
        requested.forEach((name, value) -> {
            if (isAllowed(name)) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    static boolean isAllowed(String name) {
        return name.equals("LANG") || name.startsWith("LC_") || name.equals("TERM") || name.equals("COLORTERM");
    }
}
