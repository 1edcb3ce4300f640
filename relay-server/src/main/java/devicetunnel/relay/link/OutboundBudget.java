package devicetunnel.relay.link;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes queued for a websocket and not yet written. Jetty's queue has no bound of its own: a peer
 * that sends requests and never reads would make the relay hold every answer. A send that would go
 * past the cap is refused, and the caller drops the peer.
 */
public final class OutboundBudget {
    private final long capBytes;
    private final AtomicLong queued = new AtomicLong();

    public OutboundBudget(long capBytes) {
        this.capBytes = capBytes;
    }

    public boolean tryReserve(long bytes) {
        while (true) {
            long now = queued.get();
            if (now + bytes > capBytes) {
                return false;
            }
            if (queued.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    public void release(long bytes) {
        queued.addAndGet(-bytes);
    }

    public long queued() {
        return queued.get();
    }
}
