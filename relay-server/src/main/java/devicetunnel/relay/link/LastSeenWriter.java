package devicetunnel.relay.link;

import devicetunnel.protocol.DaemonThreads;
import devicetunnel.protocol.Periodic;
import devicetunnel.relay.store.DeviceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Devices' last-seen times, written behind in one transaction per period. A mass reconnect (a
 * relay of the cluster died) would otherwise cost one commit per device on the connecting thread;
 * here a thousand connects cost one commit. The time is advisory (shown for offline devices), so
 * a crash may lose at most one period of it; a clean stop writes what is pending.
 */
final class LastSeenWriter implements AutoCloseable {
    static final Duration PERIOD = Duration.ofSeconds(1);

    private final DeviceStore devices;
    private final ConcurrentHashMap<String, Instant> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writer =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("last-seen-writer"));

    LastSeenWriter(DeviceStore devices) {
        this.devices = devices;
        Periodic.every(writer, "last-seen writes", PERIOD, this::flush);
    }

    void seen(String deviceId, Instant at) {
        pending.merge(deviceId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Writes what is pending; a failed write keeps it for the next period unless newer times came. */
    void flush() {
        Map<String, Instant> batch = new HashMap<>();
        for (String id : pending.keySet()) {
            Instant at = pending.remove(id);
            if (at != null) {
                batch.put(id, at);
            }
        }
        try {
            devices.touchAll(batch);
        } catch (RuntimeException e) {
            batch.forEach(this::seen);
            throw e;
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Periodic.guarded("last-seen writes at stop", this::flush).run();
    }
}
