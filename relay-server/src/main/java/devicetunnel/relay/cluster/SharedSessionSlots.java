package devicetunnel.relay.cluster;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.policy.SessionSlots;
import devicetunnel.relay.store.SessionSlotStore;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session caps counted across the cluster: a row per open slot in PostgreSQL, taken under
 * advisory locks (see {@link SessionSlotStore}). This relay remembers the ids of its own rows so a
 * release deletes exactly one; a delete that fails is retried by {@link #retryReleases()}, so a
 * store hiccup does not hold a slot until the relay restarts.
 */
final class SharedSessionSlots implements SessionSlots {
    private static final Logger log = LoggerFactory.getLogger(SharedSessionSlots.class);

    private final SessionSlotStore store;
    private final String relayId;
    private final int perDevice;
    private final int perOperator;
    private final LongSupplier clock;
    private final Map<String, Deque<String>> mine = new HashMap<>(); // guarded by this
    private final Queue<String> undeleted = new ConcurrentLinkedQueue<>();

    SharedSessionSlots(SessionSlotStore store, String relayId, int perDevice, int perOperator, LongSupplier clock) {
        if (perDevice < 1 || perOperator < 1) {
            throw new IllegalArgumentException("session caps must be at least 1");
        }
        this.store = store;
        this.relayId = relayId;
        this.perDevice = perDevice;
        this.perOperator = perOperator;
        this.clock = clock;
    }

    @Override
    public void acquire(String operator, String deviceId) {
        String slotId = UUID.randomUUID().toString();
        switch (store.acquire(slotId, relayId, operator, deviceId, perDevice, perOperator, clock.getAsLong())) {
            case DEVICE_FULL -> throw new TunnelException(ErrorCode.CONFLICT, SessionSlots.deviceFull(perDevice)
                    + " (counted on every relay)");
            case OPERATOR_FULL -> throw new TunnelException(ErrorCode.CONFLICT, SessionSlots.operatorFull(perOperator)
                    + " (counted on every relay)");
            case TAKEN -> {
                synchronized (this) {
                    mine.computeIfAbsent(key(operator, deviceId), k -> new ArrayDeque<>()).push(slotId);
                }
            }
        }
    }

    @Override
    public void release(String operator, String deviceId) {
        String slotId;
        synchronized (this) {
            Deque<String> slots = mine.get(key(operator, deviceId));
            slotId = slots == null ? null : slots.poll();
            if (slots != null && slots.isEmpty()) {
                mine.remove(key(operator, deviceId));
            }
        }
        if (slotId != null) {
            delete(slotId);
        }
    }

    @Override
    public int heldOnDevice(String deviceId) {
        return store.heldOnDevice(deviceId, clock.getAsLong());
    }

    /** On the sweeper: deletes the slots whose release could not reach the store. */
    void retryReleases() {
        for (int n = undeleted.size(); n > 0; n--) {
            String slotId = undeleted.poll();
            if (slotId != null) {
                delete(slotId);
            }
        }
    }

    private void delete(String slotId) {
        try {
            store.release(slotId);
        } catch (RuntimeException e) {
            log.warn("cluster: could not release a session slot (retried every sweep): {}", e.toString());
            undeleted.add(slotId);
        }
    }

    private static String key(String operator, String deviceId) {
        return operator + '\n' + deviceId;
    }
}
