package devicetunnel.relay.cluster;

import devicetunnel.relay.link.DeviceLink;
import devicetunnel.relay.link.LinkListener;
import devicetunnel.relay.store.ClusterStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this relay's link ups and downs to the shared store: one row write per connect and per
 * disconnect, never per ping. One writer thread keeps them in the order the registry reported them
 * (so a link's "down" never overtakes its "up") and keeps database latency off Jetty's threads.
 */
final class PresenceWriter implements LinkListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PresenceWriter.class);

    private record Held(DeviceLink link, long generation) {}

    private final ClusterStore store;
    private final String relayId;
    private final ExecutorService writer;
    /** Touched by the writer thread only. */
    private final Map<String, Held> held = new HashMap<>();

    PresenceWriter(ClusterStore store, String relayId) {
        this.store = store;
        this.relayId = relayId;
        this.writer = Executors.newSingleThreadExecutor(devicetunnel.protocol.DaemonThreads.named("cluster-presence"));
    }

    @Override
    public void linkUp(DeviceLink link) {
        submit(() -> held.put(link.deviceId(), new Held(link,
                store.linkUp(link.deviceId(), relayId, link.connectedAt().toEpochMilli()))));
    }

    @Override
    public void linkDown(DeviceLink link) {
        submit(() -> {
            Held h = held.get(link.deviceId());
            if (h != null && h.link() == link) {
                held.remove(link.deviceId());
                store.linkDown(link.deviceId(), relayId, h.generation());
            }
        });
    }

    private void submit(Runnable write) {
        try {
            writer.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    // The row is missing or stale until the device's next connect; siblings see it offline.
                    log.warn("cluster presence write failed: {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("relay closing; presence write dropped");
        }
    }

    /** Lets queued writes finish (bounded), so a clean stop leaves no stale rows behind. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.shutdownNow();
    }
}
