package devicetunnel.agent.status;

import devicetunnel.agent.link.LinkState;
import devicetunnel.protocol.Periodic;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code status.json} current: on every link change and every {@link StatusFile#INTERVAL}
 * (so a stale file means a dead or hung agent), and once more with STOPPED at a clean shutdown.
 * Writes run on the agent's scheduler, never on the thread that reported the change.
 */
public final class StatusWriter {
    private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

    private final Path stateDir;
    private final String deviceId;
    private final String relay;
    private final IntSupplier sshSessions;
    private final IntSupplier shells;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final LinkState linkState;
    private volatile boolean warned;

    public StatusWriter(Path stateDir, String deviceId, String relay, IntSupplier sshSessions, IntSupplier shells,
                        ScheduledExecutorService scheduler, Clock clock) {
        this.stateDir = stateDir;
        this.deviceId = deviceId;
        this.relay = relay;
        this.sshSessions = sshSessions;
        this.shells = shells;
        this.scheduler = scheduler;
        this.clock = clock;
        this.linkState = new LinkState(clock, this::changed);
    }

    /** The state the control link reports into. */
    public LinkState linkState() {
        return linkState;
    }

    public void start() {
        Periodic.every(scheduler, "status file", StatusFile.INTERVAL, () -> write(null));
    }

    private void changed() {
        try {
            scheduler.execute(() -> write(null));
        } catch (RejectedExecutionException e) {
            // shutting down: stopped() writes the last report
        }
    }

    /** The agent shut down cleanly: {@code status} says "not running" at once rather than after the report goes stale. */
    public void stopped() {
        write(StatusReport.STOPPED);
    }

    private void write(String linkOverride) {
        LinkState.Snapshot link = linkState.snapshot();
        StatusReport report = new StatusReport(ProcessHandle.current().pid(), deviceId, relay,
                linkOverride != null ? linkOverride : link.link().name(), String.valueOf(link.since()), link.lastError(),
                link.lastErrorAt() == null ? null : link.lastErrorAt().toString(), clock.instant().toString(),
                sshSessions.getAsInt(), shells.getAsInt());
        try {
            StatusFile.write(stateDir, report);
            warned = false;
        } catch (IOException e) {
            if (!warned) { // once per run of failures: a full disk must not flood the log
                warned = true;
                log.warn("cannot write {}: {}", stateDir.resolve(StatusFile.NAME), e.toString());
            }
        }
    }
}
