package devicetunnel.protocol;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeating tasks that survive their own failures: an exception escaping a
 * {@code scheduleAtFixedRate} task cancels it for good (offline detection, idle sweeps or pacing
 * would silently stop until a restart). Every repeating task in the relay and the agent goes
 * through here; a failure is logged and the next run happens on time.
 */
public final class Periodic {
    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    private Periodic() {}

    /** Runs {@code task} every {@code period} (first after one period) on {@code scheduler}. */
    public static ScheduledFuture<?> every(ScheduledExecutorService scheduler, String name, Duration period, Runnable task) {
        long millis = Math.max(1, period.toMillis());
        return scheduler.scheduleAtFixedRate(guarded(name, task), millis, millis, TimeUnit.MILLISECONDS);
    }

    /** {@code task}, logging instead of throwing. */
    public static Runnable guarded(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | AssertionError e) {
                log.warn("periodic task '{}' failed; it runs again next period", name, e);
            }
        };
    }
}
