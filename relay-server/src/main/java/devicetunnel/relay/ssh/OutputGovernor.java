package devicetunnel.relay.ssh;

import devicetunnel.protocol.Periodic;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Keeps typing responsive while other sessions print in bulk. When the machine is busy (CPU load at
 * or above {@link #BUSY_LOAD}) and an operator typed in the last seconds in a session that is not
 * itself printing in bulk, every session that has used up its burst is paced to one per-session
 * rate, which shrinks each tick while the pressure lasts and grows back once it has eased.
 *
 * <p>A lone flood (one operator's {@code cat}) is never paced: nobody else waits for the machine.
 * Output that fits the burst (an echo, a prompt, a screenful) is never delayed, and floods share
 * what is left equally. Pacing a session's pump lets its SSH window fill, which stops the device's
 * PTY: the work saved is on the whole path, not just in the relay.
 */
public final class OutputGovernor {
    static final double BUSY_LOAD = 0.85;
    static final long BURST_BYTES = 256 * 1024;
    static final double FLOOR_BYTES_PER_SECOND = 256 * 1024;
    /** At or above this rate nothing is paced. */
    static final double UNPACED_BYTES_PER_SECOND = 64 * 1024 * 1024;
    static final long TICK_MILLIS = 200;
    private static final long TYPING_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long MAX_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** A session that printed more than this in the last tick is printing in bulk. */
    private static final long BULK_BYTES_PER_TICK = 64 * 1024;

    private final boolean enabled;
    private final DoubleSupplier cpuLoad;
    private final LongSupplier nanoClock;
    private final Set<Pacer> pacers = ConcurrentHashMap.newKeySet();
    private volatile double bulkRate = UNPACED_BYTES_PER_SECOND;
    /** Who typed in the last tick's window without printing in bulk; one value, so readers never mix ticks. */
    private volatile Typists typists = new Typists(0, null);
    private volatile ScheduledFuture<?> ticks;
    /** Sessions paced during the last tick. */
    private volatile int paced;

    /** How many sessions type, and which one when it is exactly one. */
    private record Typists(int count, Pacer sole) {}

    /** One session's output allowance and recent activity. Tokens belong to its pump thread. */
    static final class Pacer {
        private final AtomicLong bytesThisTick = new AtomicLong();
        /** Paced during this tick: printing in bulk even if the pacing kept it under the threshold. */
        private volatile boolean pacedThisTick;
        private volatile long lastInputNanos;
        private double tokens = BURST_BYTES;
        private long lastNanos;
    }

    public OutputGovernor(boolean enabled, DoubleSupplier cpuLoad, LongSupplier nanoClock) {
        this.enabled = enabled;
        this.cpuLoad = cpuLoad;
        this.nanoClock = nanoClock;
    }

    /** The machine's recent CPU load, 0 to 1 (negative or unknown reads as idle). */
    public static DoubleSupplier machineCpuLoad() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun::getCpuLoad : () -> 0;
    }

    void start(ScheduledExecutorService scheduler) {
        if (enabled) {
            ticks = Periodic.every(scheduler, "interactive priority", Duration.ofMillis(TICK_MILLIS), this::adjust);
        }
    }

    void stop() {
        ScheduledFuture<?> t = ticks;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** The operator typed in {@code pacer}'s session: their echo is what pacing protects. */
    void inputSeen(Pacer pacer) {
        pacer.lastInputNanos = nanoClock.getAsLong();
    }

    /** One tick: shrink the bulk rate under pressure while someone types, grow it back otherwise. */
    void adjust() {
        long now = nanoClock.getAsLong();
        int typing = 0;
        int pacedNow = 0;
        Pacer typist = null;
        for (Pacer pacer : pacers) {
            pacedNow += pacer.pacedThisTick ? 1 : 0;
            boolean bulk = pacer.bytesThisTick.getAndSet(0) > BULK_BYTES_PER_TICK || pacer.pacedThisTick;
            pacer.pacedThisTick = false;
            if (!bulk && now - pacer.lastInputNanos < TYPING_WINDOW_NANOS) {
                typing++;
                typist = pacer;
            }
        }
        typists = new Typists(typing, typing == 1 ? typist : null);
        paced = pacedNow;
        if (typing > 0 && cpuLoad.getAsDouble() >= BUSY_LOAD) {
            bulkRate = Math.max(FLOOR_BYTES_PER_SECOND, Math.min(bulkRate, UNPACED_BYTES_PER_SECOND / 4) * 0.7);
        } else if (bulkRate < UNPACED_BYTES_PER_SECOND) {
            bulkRate = Math.min(UNPACED_BYTES_PER_SECOND, bulkRate * 1.25);
        }
    }

    /** Sessions whose output was slowed in the last tick so that others' echoes stay quick. */
    public int pacedSessions() {
        return paced;
    }

    /** Bytes per second each bulk session may print right now. */
    double bulkRate() {
        return bulkRate;
    }

    /** A session's own keystrokes (the command that starts its flood) never slow it down. */
    private boolean someoneElseTypes(Pacer pacer) {
        Typists now = typists;
        return now.count() > 1 || (now.count() == 1 && now.sole() != pacer);
    }

    /** A pacer for a new session; {@link #release} it when the session ends. */
    Pacer newPacer() {
        Pacer pacer = new Pacer();
        long now = nanoClock.getAsLong();
        pacer.lastNanos = now;
        pacer.lastInputNanos = now - TYPING_WINDOW_NANOS;
        pacers.add(pacer);
        return pacer;
    }

    void release(Pacer pacer) {
        pacers.remove(pacer);
    }

    /** Charges {@code bytes} of output to {@code pacer}; how long its pump should wait before reading more. */
    long delayNanos(Pacer pacer, int bytes) {
        pacer.bytesThisTick.addAndGet(bytes);
        long now = nanoClock.getAsLong();
        double rate = bulkRate;
        double elapsedSeconds = (now - pacer.lastNanos) / 1e9;
        pacer.lastNanos = now;
        if (rate >= UNPACED_BYTES_PER_SECOND || !someoneElseTypes(pacer)) {
            pacer.tokens = BURST_BYTES;
            return 0;
        }
        pacer.tokens = Math.min(BURST_BYTES, pacer.tokens + elapsedSeconds * rate) - bytes;
        if (pacer.tokens >= 0) {
            return 0;
        }
        pacer.pacedThisTick = true;
        return Math.min(MAX_DELAY_NANOS, (long) (-pacer.tokens / rate * 1e9));
    }
}
