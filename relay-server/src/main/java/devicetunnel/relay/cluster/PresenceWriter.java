package devicetunnel.relay.cluster;

import devicetunnel.protocol.DaemonThreads;
import devicetunnel.relay.link.DeviceLink;
import devicetunnel.relay.link.LinkListener;
import devicetunnel.relay.store.ClusterStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this relay's link ups and downs to the shared store: one row write per connect and per
 * disconnect, never per ping. One writer thread keeps them in the order the registry reported them
 * (so a link's "down" never overtakes its "up") and keeps database latency off Jetty's threads.
 * Whatever queued while the last batch was written goes in the next transaction, so a mass
 * reconnect (a sibling relay died) costs a few commits, not one per device.
 */
final class PresenceWriter implements LinkListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PresenceWriter.class);
    static final int MAX_BATCH = 2_000;

    private record Change(DeviceLink link, boolean up) {}

    private record Held(DeviceLink link, long generation) {}

    private final ClusterStore store;
    private final String relayId;
    private final LinkedBlockingQueue<Change> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closing;
    /** Touched by the writer thread only. */
    private final Map<String, Held> held = new HashMap<>();

    PresenceWriter(ClusterStore store, String relayId) {
        this.store = store;
        this.relayId = relayId;
        this.writer = DaemonThreads.named("cluster-presence").newThread(this::writeLoop);
        writer.start();
    }

    @Override
    public void linkUp(DeviceLink link) {
        enqueue(new Change(link, true));
    }

    @Override
    public void linkDown(DeviceLink link) {
        enqueue(new Change(link, false));
    }

    private void enqueue(Change change) {
        if (closing && !writer.isAlive()) {
            log.debug("relay closed; presence write dropped");
            return;
        }
        queue.add(change);
    }

    private void writeLoop() {
        List<Change> batch = new ArrayList<>();
        while (!(closing && queue.isEmpty())) {
            try {
                Change first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            write(batch);
            batch.clear();
        }
    }

    private void write(List<Change> batch) {
        Map<String, Held> before = new HashMap<>(held);
        try {
            store.writeLinks(relayId, rows -> {
                for (Change c : batch) {
                    String deviceId = c.link().deviceId();
                    if (c.up()) {
                        held.put(deviceId, new Held(c.link(), rows.up(deviceId, c.link().connectedAt().toEpochMilli())));
                    } else {
                        Held h = held.get(deviceId);
                        if (h != null && h.link() == c.link()) {
                            held.remove(deviceId);
                            rows.down(deviceId, h.generation());
                        }
                    }
                }
            });
        } catch (RuntimeException e) {
            // Rolled back: those rows are missing or stale until each device's next connect (siblings
            // see it offline); what this relay believes it wrote goes back to what the store holds.
            held.clear();
            held.putAll(before);
            log.warn("cluster presence write of {} change(s) failed: {}", batch.size(), e.toString());
        }
    }

    /** Lets queued writes finish (bounded), so a clean stop leaves no stale rows behind. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
    }
}
