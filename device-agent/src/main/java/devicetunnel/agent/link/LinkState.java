package devicetunnel.agent.link;

import java.time.Clock;
import java.time.Instant;

/**
 * What the device owner's {@code device-agent status} shows about the control link: up or not,
 * since when, and the last thing that went wrong (in the words the log uses, never a secret).
 * Every change calls {@code onChange} (outside the monitor), so the status file follows at once.
 */
public final class LinkState {
    public enum Link { CONNECTING, CONNECTED, OFFLINE }

    /** One consistent view; {@code lastError}/{@code lastErrorAt} are null until something went wrong. */
    public record Snapshot(Link link, Instant since, String lastError, Instant lastErrorAt) {}

    private final Clock clock;
    private final Runnable onChange;
    private Snapshot current;

    public LinkState(Clock clock, Runnable onChange) {
        this.clock = clock;
        this.onChange = onChange;
        this.current = new Snapshot(Link.CONNECTING, clock.instant(), null, null);
    }

    public synchronized Snapshot snapshot() {
        return current;
    }

    void connected() {
        synchronized (this) {
            current = new Snapshot(Link.CONNECTED, clock.instant(), current.lastError(), current.lastErrorAt());
        }
        onChange.run();
    }

    void offline() {
        synchronized (this) {
            if (current.link() == Link.OFFLINE) {
                return;
            }
            current = new Snapshot(Link.OFFLINE, clock.instant(), current.lastError(), current.lastErrorAt());
        }
        onChange.run();
    }

    void problem(String why) {
        synchronized (this) {
            current = new Snapshot(current.link(), current.since(), why, clock.instant());
        }
        onChange.run();
    }
}
