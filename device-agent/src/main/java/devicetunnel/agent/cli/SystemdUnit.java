package devicetunnel.agent.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The systemd unit {@code device-agent install} writes: the agent's command line, who runs it, and its hardening. */
final class SystemdUnit {
    static final String NAME = "device-agent.service";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@+=:,./-]+");
    private static final Pattern STATE_DIR = Pattern.compile("(?m)^ExecStart=.* --state-dir (\\S+)");

    private SystemdUnit() {}

    /** @param runAs the service user; root when sessions switch to a {@code --shell-user} */
    static String render(String deviceId, String runAs, Path stateDir, List<String> execStart) {
        List<String> quoted = new ArrayList<>();
        for (String arg : execStart) {
            quoted.add(quote(arg));
        }
        return """
                # Written by `device-agent install`; `device-agent uninstall` removes it.
                [Unit]
                Description=device-tunnel agent (device %1$s)
                Wants=network-online.target
                After=network-online.target

                [Service]
                Type=simple
                User=%2$s
                # Fewer malloc arenas keep the JVM small (the package's launcher sets the same when unset).
                Environment=MALLOC_ARENA_MAX=%5$s
                # The package's launcher keeps its class-data sharing archive here (CACHE_DIRECTORY): the agent
                # starts faster and smaller from the second start on. A plain java command line ignores it.
                CacheDirectory=device-agent
                ExecStart=%3$s
                Restart=always
                RestartSec=5
                # A JVM ends with 143 on SIGTERM (systemctl stop): that is a clean stop.
                SuccessExitStatus=143
                UMask=0077
                # Hardening. Every session (PTY shell, exec command, SFTP) is a child of this service and
                # inherits all of it, so only what leaves an operator's shell useful is switched on:
                #  NoNewPrivileges  setuid/setcap programs (sudo, su) do not raise privileges in sessions
                #  ProtectSystem    full: /usr, /boot, /efi and /etc are read-only, for sessions too
                #  PrivateTmp       the agent and its sessions share a /tmp of their own
                # Relaxed for shells: no ProtectHome (the session user's home lives under /home or /root),
                # no ProtectSystem=strict (operators may write outside the state directory), no
                # PrivateDevices/ProtectKernel*/RestrictAddressFamilies (shells run ordinary tools).
                NoNewPrivileges=yes
                ProtectSystem=full
                PrivateTmp=yes
                ReadWritePaths=%4$s

                [Install]
                WantedBy=multi-user.target
                """.formatted(deviceId, runAs, String.join(" ", quoted), quote(stateDir.toString()),
                        ServiceJvmOptions.MALLOC_ARENA_MAX);
    }

    /** The state directory an installed unit names, if any. */
    static Optional<Path> stateDir(String unit) {
        Matcher m = STATE_DIR.matcher(unit);
        return m.find() ? Optional.of(Path.of(unescape(m.group(1)))) : Optional.empty();
    }

    /** systemd's command-line syntax: {@code %} and {@code $} are expanded unless doubled; quotes for anything else unusual. */
    static String quote(String arg) {
        String escaped = arg.replace("%", "%%").replace("$", "$$");
        if (PLAIN.matcher(arg).matches()) {
            return escaped;
        }
        return '"' + escaped.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String unescape(String arg) {
        return arg.replace("%%", "%").replace("$$", "$");
    }
}
