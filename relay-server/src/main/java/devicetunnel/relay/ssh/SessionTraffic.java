package devicetunnel.relay.ssh;

import java.util.concurrent.atomic.LongAdder;

/** Running totals over every terminal session of this relay, for the metrics; adders, so no session waits on another. */
public final class SessionTraffic {
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder stalls = new LongAdder();
    private final LongAdder watchers = new LongAdder();

    void sent(int bytes) {
        bytesOut.add(bytes);
    }

    void received(int bytes) {
        bytesIn.add(bytes);
    }

    void stalled() {
        stalls.increment();
    }

    void watchersChanged(int by) {
        watchers.add(by);
    }

    /** People watching shared terminal sessions on this relay now (owners not counted). */
    public long watchers() {
        return watchers.sum();
    }

    /** Shell output read from devices (towards browsers). */
    public long bytesOut() {
        return bytesOut.sum();
    }

    /** Operator input written to devices. */
    public long bytesIn() {
        return bytesIn.sum();
    }

    /** Times a session stopped reading its shell because its browser was behind (flow control). */
    public long stalls() {
        return stalls.sum();
    }
}
