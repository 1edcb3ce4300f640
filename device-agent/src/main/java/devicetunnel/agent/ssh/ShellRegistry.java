package devicetunnel.agent.ssh;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every shell on the device, and the relay sessions' shells by session id. A relay session's shell
 * whose channel dropped waits {@code grace} for a relay to resume it, then ends; one that exited
 * meanwhile is kept as long, so the resuming relay learns its output and exit status.
 *
 * <p>Owns one daemon thread, the grace timer.
 */
final class ShellRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShellRegistry.class);

    private final Set<PtyShell> all = ConcurrentHashMap.newKeySet();
    private final Map<String, PtyShell> bySession = new ConcurrentHashMap<>();
    private final Duration grace;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "shell-grace");
        t.setDaemon(true);
        return t;
    });

    ShellRegistry(Duration grace) {
        this.grace = grace;
    }

    PtyShell start(SessionUser.Launch launch, int cols, int rows, String sessionId) throws IOException {
        if (sessionId != null && bySession.containsKey(sessionId)) {
            throw new IOException("a shell for that session already runs");
        }
        PtyShell shell = PtyShell.start(launch, cols, rows, sessionId, this::ended);
        all.add(shell);
        if (sessionId != null) {
            bySession.put(sessionId, shell);
        }
        return shell;
    }

    Optional<PtyShell> find(String sessionId) {
        return Optional.ofNullable(bySession.get(sessionId));
    }

    /** A relay session's channel dropped: the shell waits for a resume, then ends. */
    void detached(PtyShell shell, long token) {
        log.info("terminal session {} lost its relay; its shell waits {} s for a resume", shell.sessionId(), grace.toSeconds());
        afterGrace(() -> {
            if (shell.stillDetached(token)) {
                log.info("terminal session {} was not resumed; ending its shell", shell.sessionId());
                shell.kill();
                forget(shell);
            }
        });
    }

    /** Runs {@code task} after the grace period; at once when the agent is closing (its timer is gone). */
    private void afterGrace(Runnable task) {
        try {
            timer.schedule(task, grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void ended(PtyShell shell) {
        all.remove(shell);
        if (shell.sessionId() == null) {
            return;
        }
        if (shell.hasViewer()) { // the exit reached a relay
            forget(shell);
            return;
        }
        long token = shell.detach(null); // nobody saw the exit: keep it for a resume
        afterGrace(() -> {
            if (shell.stillDetached(token)) {
                forget(shell);
            }
        });
    }

    private void forget(PtyShell shell) {
        bySession.remove(shell.sessionId(), shell);
    }

    /** Shells running now (relay sessions waiting for a resume included). */
    Set<PtyShell> running() {
        return Set.copyOf(all);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (PtyShell shell : all) {
            shell.kill();
        }
    }
}
