package devicetunnel.relay.link;

import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Liveness;
import devicetunnel.protocol.Periodic;
import devicetunnel.relay.store.DeviceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which devices are online: exactly those with a live control link. A newer link for a device
 * evicts the older one; a link silent for two ping intervals is dropped, so a device that vanished
 * without closing its TCP connection is shown offline quickly.
 */
public final class DeviceRegistry implements Presence, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceRegistry.class);

    private final ConcurrentMap<String, DeviceLink> links = new ConcurrentHashMap<>();
    private final LastSeenWriter lastSeen;
    private final Duration pingInterval;
    private final LinkListener listener;
    private final java.util.concurrent.ScheduledFuture<?> pinger;
    private final java.util.concurrent.ScheduledFuture<?> reaper;

    public DeviceRegistry(DeviceStore devices, Duration pingInterval, ScheduledExecutorService scheduler) {
        this(devices, pingInterval, scheduler, LinkListener.NONE);
    }

    public DeviceRegistry(DeviceStore devices, Duration pingInterval, ScheduledExecutorService scheduler,
                          LinkListener listener) {
        this.lastSeen = new LastSeenWriter(devices);
        this.listener = listener;
        this.pingInterval = pingInterval;
        this.pinger = Periodic.every(scheduler, "device pings", pingInterval, this::pingAll);
        this.reaper = Periodic.every(scheduler, "silent device links", Liveness.checkPeriod(pingInterval), this::reapSilent);
    }

    public Duration pingInterval() {
        return pingInterval;
    }

    public void register(DeviceLink link) {
        // Told before the link becomes findable: its "down" can only follow a successful remove, so
        // the listener always hears "up" first (cluster presence must never keep a dead link's row).
        listener.linkUp(link);
        DeviceLink previous = links.put(link.deviceId(), link);
        if (previous != null && previous != link) {
            log.info("device {} reconnected; closing its previous link", link.deviceId());
            previous.close(ErrorCode.LINK_REPLACED.closeCode(), "replaced by a newer connection");
        }
        lastSeen.seen(link.deviceId(), Instant.now());
    }

    /** Removes the link if it is still the current one (a stale link closing must not evict its successor). */
    public void unregister(DeviceLink link) {
        if (links.remove(link.deviceId(), link)) {
            listener.linkDown(link);
            lastSeen.seen(link.deviceId(), Instant.now());
            log.info("device {} offline", link.deviceId());
        }
    }

    public Optional<DeviceLink> link(String deviceId) {
        DeviceLink link = links.get(deviceId);
        return link != null && link.isOpen() ? Optional.of(link) : Optional.empty();
    }

    @Override
    public boolean isOnline(String deviceId) {
        return link(deviceId).isPresent();
    }

    @Override
    public java.util.function.Predicate<String> snapshot() {
        return this::isOnline;
    }

    public java.util.Set<String> onlineIds() {
        return java.util.Set.copyOf(links.keySet());
    }

    public int onlineCount() {
        return links.size();
    }

    /** Cuts a device's link at once (revocation). */
    public void disconnect(String deviceId, int code, String reason) {
        DeviceLink link = links.remove(deviceId);
        if (link != null) {
            listener.linkDown(link);
            link.close(code, reason);
        }
    }

    /** Asks every agent to come back later (graceful shutdown). */
    public void drainAll(Duration reconnectAfter, String reason) {
        for (DeviceLink link : links.values()) {
            link.send(new ControlMessage.Drain(reconnectAfter.toMillis(), reason));
        }
    }

    private void pingAll() {
        long now = System.currentTimeMillis();
        for (DeviceLink link : links.values()) {
            try {
                link.send(new ControlMessage.Ping(now));
            } catch (RuntimeException e) {
                log.warn("keepalive for {} failed: {}", link.deviceId(), e.toString());
            }
        }
    }

    private void reapSilent() {
        Duration limit = Liveness.silenceLimit(pingInterval);
        for (DeviceLink link : links.values()) {
            boolean silent = link.silentLongerThan(limit);
            if (silent || !link.isOpen()) {
                if (silent) {
                    log.warn("device {} silent for two ping intervals; dropping its link", link.deviceId());
                }
                unregister(link);
                try {
                    link.abort();
                } catch (RuntimeException e) {
                    log.debug("aborting the link of {}: {}", link.deviceId(), e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        pinger.cancel(false);
        reaper.cancel(false);
        lastSeen.close();
    }
}
