package devicetunnel.relay.support;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test of this module (META-INF/services, autodetection on in
 * junit-platform.properties) so that a deadlock can never hang the suite again:
 * <ul>
 *   <li>after each test, the JVM is asked for deadlocked threads; if there are any, the test fails
 *       with their stacks (the threads stay stuck, so later tests would fail too: the first
 *       failure names the cycle);</li>
 *   <li>a watchdog per test: a test (with its set-up and clean-up) still running after
 *       {@link #WATCHDOG} (or a minute past its own {@code @Timeout}, if longer) prints every thread's stack and halts the test JVM, so the build fails in
 *       minutes instead of hanging. JUnit's {@code @Timeout} cannot break a thread blocked on a
 *       monitor; this can.</li>
 * </ul>
 * Owns one daemon thread, the watchdog's timer.
 */
public final class HangGuard implements BeforeEachCallback, AfterEachCallback {
    static final Duration WATCHDOG = Duration.ofMinutes(Long.getLong("devicetunnel.test.watchdogMinutes", 5));
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-hang-watchdog");
        t.setDaemon(true);
        return t;
    });
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(HangGuard.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        String test = context.getDisplayName() + " in " + context.getRequiredTestClass().getSimpleName();
        Duration limit = limitFor(context);
        ScheduledFuture<?> watchdog = TIMER.schedule(() -> halt(test, limit), limit.toMillis(), TimeUnit.MILLISECONDS);
        context.getStore(NAMESPACE).put("watchdog", watchdog);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ScheduledFuture<?> watchdog = context.getStore(NAMESPACE).remove("watchdog", ScheduledFuture.class);
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        long[] deadlocked = THREADS.findDeadlockedThreads();
        if (deadlocked != null) {
            throw new AssertionError("Deadlocked threads after this test:\n" + stacks(THREADS.getThreadInfo(deadlocked, true, true)));
        }
    }

    /** {@link #WATCHDOG}, or a minute more than the test's own {@code @Timeout} when that is longer. */
    private static Duration limitFor(ExtensionContext context) {
        Timeout timeout = context.getRequiredTestMethod().getAnnotation(Timeout.class);
        if (timeout == null) {
            timeout = context.getRequiredTestClass().getAnnotation(Timeout.class);
        }
        if (timeout == null) {
            return WATCHDOG;
        }
        Duration own = Duration.of(timeout.value(), timeout.unit().toChronoUnit()).plusMinutes(1);
        return own.compareTo(WATCHDOG) > 0 ? own : WATCHDOG;
    }

    private static void halt(String test, Duration limit) {
        System.err.println("HangGuard: '" + test + "' still runs after " + limit.toMinutes()
                + " min; every thread follows, then this test JVM stops.\n" + stacks(THREADS.dumpAllThreads(true, true)));
        long[] deadlocked = THREADS.findDeadlockedThreads();
        if (deadlocked != null) {
            System.err.println("HangGuard: deadlocked:\n" + stacks(THREADS.getThreadInfo(deadlocked, true, true)));
        }
        System.err.flush();
        Runtime.getRuntime().halt(97);
    }

    /** Full stacks: ThreadInfo.toString() cuts them at eight frames. */
    static String stacks(ThreadInfo[] threads) {
        StringBuilder out = new StringBuilder();
        for (ThreadInfo t : threads) {
            if (t == null) {
                continue;
            }
            out.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                out.append(" waiting for ").append(t.getLockName());
                if (t.getLockOwnerName() != null) {
                    out.append(" held by \"").append(t.getLockOwnerName()).append('"');
                }
            }
            out.append('\n');
            for (StackTraceElement frame : t.getStackTrace()) {
                out.append("    at ").append(frame).append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }
}
