package devicetunnel.agent.link;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cap on the streams the agent has open or is opening. Each one costs a websocket, an SSH
 * session and, once a shell starts, a PTY and two threads; a relay (or an impostor) that floods
 * {@code open} messages must not exhaust the device. Refusals are logged once per burst and then
 * counted: the summary is logged when a slot frees up, so a flood cannot flood the log as well.
 */
final class StreamLimit {
    private static final Logger log = LoggerFactory.getLogger(StreamLimit.class);

    private final int max;
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicLong refusedInBurst = new AtomicLong();

    StreamLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the stream limit must be at least 1");
        }
        this.max = max;
    }

    int max() {
        return max;
    }

    /** Takes a slot, or counts a refusal (logging the first of a burst) and returns false. */
    boolean tryAcquire() {
        while (true) {
            int n = inUse.get();
            if (n >= max) {
                if (refusedInBurst.getAndIncrement() == 0) {
                    log.warn("refusing stream requests from the relay: {} streams open, the cap (--max-streams) is {}; "
                            + "further refusals are counted and summarized", n, max);
                }
                return false;
            }
            if (inUse.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        inUse.decrementAndGet();
        long refused = refusedInBurst.getAndSet(0);
        if (refused > 0) {
            log.warn("refused {} stream request(s) while at the cap of {}", refused, max);
        }
    }

    int inUse() {
        return inUse.get();
    }
}
