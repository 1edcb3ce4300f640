package devicetunnel.agent.cli;

import devicetunnel.agent.link.Enrollment;
import devicetunnel.agent.link.TrustPins;
import devicetunnel.agent.status.StatusFile;
import devicetunnel.agent.status.StatusReport;
import java.io.IOException;
import java.io.PrintWriter;
import devicetunnel.protocol.KeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code device-agent status}: what the agent on this device is doing, from the files in its state
 * directory (the running agent's {@code status.json} and the enrollment record), so it works while
 * the agent hangs and needs no socket or port. Exit codes, worst first: 3 not running, 2 not
 * enrolled, 1 not connected, 0 connected.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows the local agent's link, enrollment, sessions and pinned relay key (reads its state directory; run as root or as the agent's user).",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:running and connected to its relay", "1:running, not connected (see last error)",
                "2:running, not enrolled yet", "3:not running (no fresh status file: stopped, crashed or hung)"})
final class StatusCommand implements Callable<Integer> {
    static final int CONNECTED = 0;
    static final int NOT_CONNECTED = 1;
    static final int NOT_ENROLLED = 2;
    static final int NOT_RUNNING = 3;

    @Option(names = "--state-dir", defaultValue = "${env:DT_STATE_DIR:-agent-state}",
            description = "The agent's state directory. Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Instant now = Instant.now();
        Optional<StatusReport> report = StatusFile.read(stateDir);
        Optional<Enrollment.Record> enrolled = Enrollment.read(stateDir);
        String notRunning = report.isPresent() ? whyNotRunning(report.get(), now) : "no " + StatusFile.NAME + " in " + stateDir;
        if (notRunning == null) {
            StatusReport r = report.get();
            out.printf("agent:       running (pid %d, device %s), status written %s ago%n", r.pid(), r.deviceId(), ago(r.updatedAt(), now));
            out.printf("link:        %s %s since %s (%s ago)%n", words(r.link()), r.relay(), r.since(), ago(r.since(), now));
            out.printf("sessions:    %d SSH connection(s), %d shell(s)%n", r.sshSessions(), r.shells());
        } else {
            out.printf("agent:       not running (%s)%n", notRunning);
        }
        report.filter(r -> r.lastError() != null).ifPresentOrElse(
                r -> out.printf("last error:  %s (at %s)%n", r.lastError(), r.lastErrorAt()),
                () -> out.println("last error:  none"));
        Path hostKeyFile = stateDir.resolve("host_ed25519");
        if (Files.exists(hostKeyFile)) {
            // What the relay's console shows for a pending device: compare before accepting it.
            try {
                String line = org.apache.sshd.common.config.keys.PublicKeyEntry.toString(KeyFiles.load(hostKeyFile).getPublic());
                out.printf("host key:    %s%n", TrustPins.fingerprint(line));
            } catch (IOException e) {
                out.printf("host key:    cannot read %s (run as root or as the agent's user)%n", hostKeyFile);
            }
        }
        if (enrolled.isPresent()) {
            Enrollment.Record e = enrolled.get();
            out.printf("enrollment:  enrolled at %s as %s%n", e.relay(), e.deviceId());
            for (String key : e.relayKeys()) {
                out.printf("relay key:   %s (pinned)%n", TrustPins.fingerprint(key));
            }
        } else {
            out.println("enrollment:  not enrolled (no " + Enrollment.RECORD_FILE + " in " + stateDir + ")");
        }
        out.flush();
        if (notRunning != null) {
            return NOT_RUNNING;
        }
        if (enrolled.isEmpty()) {
            return NOT_ENROLLED;
        }
        return "CONNECTED".equals(report.get().link()) ? CONNECTED : NOT_CONNECTED;
    }

    /** Null when the report comes from a live agent. */
    private static String whyNotRunning(StatusReport r, Instant now) {
        if (StatusReport.STOPPED.equals(r.link())) {
            return "stopped at " + r.updatedAt();
        }
        if (ProcessHandle.of(r.pid()).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
            return "process " + r.pid() + " is gone; last status at " + r.updatedAt();
        }
        if (Duration.between(Instant.parse(r.updatedAt()), now).compareTo(StatusFile.STALE_AFTER) > 0) {
            return "status not updated for " + ago(r.updatedAt(), now) + ": the agent hangs";
        }
        return null;
    }

    private static String words(String link) {
        return switch (link) {
            case "CONNECTED" -> "connected to";
            case "OFFLINE" -> "offline, reconnecting to";
            default -> "connecting to";
        };
    }

    private static String ago(String instant, Instant now) {
        long s = Math.max(0, Duration.between(Instant.parse(instant), now).toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h";
    }
}
