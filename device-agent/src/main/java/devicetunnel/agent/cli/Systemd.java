package devicetunnel.agent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Whether systemd runs this machine, and {@code systemctl} calls with their output passed through. */
final class Systemd {
    private Systemd() {}

    /** Null when systemd manages this machine; otherwise why it cannot be asked to start anything. */
    static String unavailable() {
        Optional<Path> systemctl = systemctl();
        if (systemctl.isEmpty()) {
            return "systemctl is not installed";
        }
        if (!Files.isDirectory(Path.of("/run/systemd/system"))) { // sd_booted(3)'s test
            return "PID 1 is not systemd (it is " + pid1() + ")";
        }
        return null;
    }

    /** Runs {@code systemctl args...}, its output on ours; returns its exit status. */
    static int systemctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(systemctl().orElseThrow(() -> new IOException("systemctl is not installed")).toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("systemctl " + String.join(" ", args) + " did not finish in 2 minutes");
        }
        return process.exitValue();
    }

    private static Optional<Path> systemctl() {
        return List.of(Path.of("/usr/bin/systemctl"), Path.of("/bin/systemctl")).stream().filter(Files::isExecutable).findFirst();
    }

    private static String pid1() {
        try {
            return Files.readString(Path.of("/proc/1/comm")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
