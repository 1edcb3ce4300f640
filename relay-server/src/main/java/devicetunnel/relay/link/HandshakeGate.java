package devicetunnel.relay.link;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Bounds the device control links between their upgrade and their welcome. When a relay dies its
 * devices all dial the survivors within a second or two; a survivor that took every one of them
 * at once would share its cores among thousands of half-done handshakes, finish none within the
 * agents' connect timeout, and redo them all when the agents retry. Past the bound a connect is
 * refused at once (503, before any signature check or store read): the agent backs off with
 * jitter, and the handshakes let in finish in milliseconds. Operators' sessions keep their share
 * of the relay meanwhile.
 *
 * <p>Devices with shells to resume (they say so: {@link devicetunnel.protocol.Protocol#SHELLS_HEADER})
 * may also take a reserve past the bound that idle devices cannot (by default a quarter of the
 * bound, at least 4): in a storm, operators' open shells come back first. The header is anyone's to send, so the reserve
 * is bounded like the rest; whoever lies gains a place in the queue, not a way round the bound.
 *
 * <p>A ticket is handed back at the welcome or when the link closes; one never handed back (an
 * upgrade that failed after the check) expires after {@code ttlNanos}, so a leak cannot shrink the
 * bound for good. The lock is a leaf: nothing is called while holding it.
 */
public final class HandshakeGate {
    private final int max;
    private final int withReserve;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    /** Ticket to the time it expires. */
    private final Map<Object, Long> open = new HashMap<>();

    /** {@code shellReserve}: handshakes past {@code max} for devices with shells to resume, 0 for none. */
    public HandshakeGate(int max, int shellReserve, long ttlNanos, LongSupplier nanoClock) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one device handshake at a time is needed");
        }
        if (shellReserve < 0) {
            throw new IllegalArgumentException("the reserve for devices with shells cannot be negative");
        }
        this.max = max;
        this.withReserve = max + shellReserve;
        this.ttlNanos = ttlNanos;
        this.nanoClock = nanoClock;
    }

    /** The reserve when none is configured: a quarter of the bound, at least 4. */
    public static int defaultShellReserve(int max) {
        return Math.max(4, max / 4);
    }

    /**
     * A ticket for one handshake, or null when the bound is reached ({@code max}; for a device
     * with shells to resume, {@code max} plus the reserve).
     */
    public synchronized Object tryEnter(boolean shellsWaiting) {
        int limit = shellsWaiting ? withReserve : max;
        long now = nanoClock.getAsLong();
        if (open.size() >= limit) {
            for (Iterator<Long> expiries = open.values().iterator(); expiries.hasNext(); ) {
                if (expiries.next() - now <= 0) {
                    expiries.remove();
                }
            }
            if (open.size() >= limit) {
                return null;
            }
        }
        Object ticket = new Object();
        open.put(ticket, now + ttlNanos);
        return ticket;
    }

    /** Hands a ticket back; null and repeated calls are harmless. */
    public synchronized void leave(Object ticket) {
        if (ticket != null) {
            open.remove(ticket);
        }
    }

    public synchronized int inFlight() {
        return open.size();
    }
}
