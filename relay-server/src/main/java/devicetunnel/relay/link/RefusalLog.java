package devicetunnel.relay.link;

import devicetunnel.protocol.Periodic;
import devicetunnel.relay.store.AuditLog;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * Agent refusals, aggregated: a broken or hostile agent retrying in a loop must not write one audit
 * row and one log line (the audit log writes both) per attempt: disk and database fill, and real
 * events drown. The first refusal of a (device, reason) pair in an interval is recorded at once;
 * repeats are counted and recorded as one row "repeated N times" when the interval ends. Keys are capped: past {@link #MAX_KEYS}
 * distinct pairs (a scan of made-up ids) everything else counts under one overflow key.
 */
public final class RefusalLog implements AutoCloseable {
    static final int MAX_KEYS = 1000;
    private static final String OVERFLOW = "other refusals (too many distinct devices)";

    private final AuditLog audit;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<Key, Window> windows = new HashMap<>(); // guarded by this
    private final java.util.concurrent.ScheduledFuture<?> flusher;

    private record Key(String event, String deviceId, String reason) {}

    private static final class Window {
        final long startedNanos;
        int repeats;
        String lastIp;

        Window(long startedNanos) {
            this.startedNanos = startedNanos;
        }
    }

    private record Summary(Key key, int repeats, String lastIp) {}

    public RefusalLog(AuditLog audit, Duration interval, ScheduledExecutorService scheduler, LongSupplier nanoTime) {
        this.audit = audit;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.flusher = scheduler == null ? null : Periodic.every(scheduler, "refusal summaries", interval, this::flush);
    }

    /** Records a refusal now, or counts it towards the summary of its window. */
    public void refused(String event, String deviceId, String ip, String reason) {
        Key key = new Key(event, deviceId, reason);
        boolean first;
        synchronized (this) {
            Key k = windows.containsKey(key) || windows.size() < MAX_KEYS ? key : new Key(event, null, OVERFLOW);
            Window window = windows.get(k);
            first = window == null;
            if (first) {
                windows.put(k, new Window(nanoTime.getAsLong()));
                key = k;
            } else {
                window.repeats++;
                window.lastIp = ip;
            }
        }
        if (first) { // outside the lock: an audit write is a database call (and the one log line)
            audit.record(key.event(), null, key.deviceId(), null, ip, key.reason());
        }
    }

    /** Ends the windows that are over: one summary row each for those that saw repeats. */
    public void flush() {
        long now = nanoTime.getAsLong();
        java.util.List<Summary> summaries = new java.util.ArrayList<>();
        synchronized (this) {
            var it = windows.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (now - e.getValue().startedNanos >= intervalNanos) {
                    if (e.getValue().repeats > 0) {
                        summaries.add(new Summary(e.getKey(), e.getValue().repeats, e.getValue().lastIp));
                    }
                    it.remove();
                }
            }
        }
        for (Summary s : summaries) {
            audit.record(s.key().event(), null, s.key().deviceId(), null, s.lastIp(),
                    s.key().reason() + " (repeated " + s.repeats() + " times)");
        }
    }

    @Override
    public void close() {
        if (flusher != null) {
            flusher.cancel(false);
        }
    }
}
