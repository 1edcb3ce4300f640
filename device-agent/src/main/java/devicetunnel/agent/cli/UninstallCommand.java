package devicetunnel.agent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code device-agent uninstall}: stops and disables the service and removes its unit. The state
 * directory (host key, enrollment record) stays unless {@code --purge}: a device that keeps it
 * keeps its identity and reconnects without a new enrollment when installed again. The service
 * user stays too, as Debian leaves system users behind (files may still belong to it).
 */
@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = "Stops, disables and removes the agent's systemd service. Run as root.")
final class UninstallCommand implements Callable<Integer> {
    @Option(names = "--unit-dir", defaultValue = "/etc/systemd/system", description = "Default: ${DEFAULT-VALUE}.")
    Path unitDir;

    @Option(names = "--state-dir", description = "State directory to remove with --purge. Default: the one the unit names.")
    Path stateDir;

    @Option(names = "--purge", description = "Also delete the state directory: the device loses its identity and must enroll again.")
    boolean purge;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path unit = unitDir.resolve(SystemdUnit.NAME);
        Path state = stateDir;
        if (state == null && Files.exists(unit)) {
            state = SystemdUnit.stateDir(Files.readString(unit)).orElse(null);
        }
        int status = 0;
        String unavailable = Systemd.unavailable();
        if (unavailable == null) {
            if (Systemd.systemctl("disable", "--now", SystemdUnit.NAME) != 0) {
                spec.commandLine().getErr().println("device-agent: systemctl could not stop or disable the unit (see above); removing it anyway");
                status = 1;
            }
        } else {
            out.printf("systemd is not running here (%s): nothing to stop%n", unavailable);
        }
        if (Files.deleteIfExists(unit)) {
            out.printf("removed %s%n", unit);
        } else {
            out.printf("no %s%n", unit);
        }
        if (unavailable == null) {
            Systemd.systemctl("daemon-reload");
        }
        if (state == null) {
            out.println("state directory unknown (no unit, no --state-dir): nothing else removed");
        } else if (purge) {
            deleteTree(state);
            out.printf("removed state directory %s%n", state);
        } else {
            out.printf("kept state directory %s (host key and enrollment; --purge removes it)%n", state);
        }
        out.flush();
        return status;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
