package devicetunnel.relay.ssh;

import devicetunnel.relay.auth.Operator;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.thread.SerializedInvoker;

/**
 * Someone other than the owner looking at a terminal session through a share: read-only, or a
 * joiner who may type once the owner allows it. Output reaches a watcher without flow control
 * toward the shell (the owner's browser alone paces the device); a watcher that falls more than
 * {@link #MAX_QUEUED_BYTES} behind is dropped instead, so it never holds relay memory unbounded.
 */
public final class Watcher {
    /** What a share lets its holder do. */
    public enum Mode {
        WATCH, JOIN;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final long MAX_QUEUED_BYTES = 1024 * 1024;

    private final String id = UUID.randomUUID().toString();
    private final Operator operator;
    private final String shareId;
    private final Mode mode;
    private final boolean named;
    private final Instant joinedAt = Instant.now();
    private final TerminalViewer viewer;
    /** Calls to the viewer in the order the session queued them; never run under the session's lock. */
    private final SerializedInvoker calls;
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean typingAllowed;

    /** @param named came through a share by user name (not a link): their label scope must keep covering the device */
    public Watcher(Operator operator, String shareId, Mode mode, boolean named, TerminalViewer viewer) {
        this.operator = operator;
        this.shareId = shareId;
        this.mode = mode;
        this.named = named;
        this.viewer = viewer;
        this.calls = new SerializedInvoker("watcher-" + id);
    }

    public String id() { return id; }
    public Operator operator() { return operator; }
    public String username() { return operator.username(); }
    public String shareId() { return shareId; }
    public Mode mode() { return mode; }
    public boolean named() { return named; }
    public TerminalViewer viewer() { return viewer; }
    public boolean typingAllowed() { return typingAllowed; }

    void allowTyping() {
        typingAllowed = true;
    }

    /** The watcher as its owner sees it in the list. */
    Map<String, Object> view() {
        return Map.of("id", id, "user", operator.username(), "mode", mode.wire(), "typing", typingAllowed,
                "joinedAt", joinedAt.toString());
    }

    /** Queues output; false when the watcher is too far behind (the caller drops it). */
    boolean offerOutput(ByteBuffer data, java.util.List<Runnable> out) {
        int n = data.remaining();
        if (queued.addAndGet(n) > MAX_QUEUED_BYTES) {
            return false;
        }
        add(out, () -> viewer.sendOutput(data, () -> queued.addAndGet(-n)));
        return true;
    }

    void offerControl(String json, java.util.List<Runnable> out) {
        add(out, () -> viewer.sendControl(json));
    }

    void offerClose(int code, String reason, java.util.List<Runnable> out) {
        add(out, () -> viewer.close(code, reason));
    }

    private void add(java.util.List<Runnable> out, Runnable call) {
        Runnable now = calls.offer(call);
        if (now != null) {
            out.add(now);
        }
    }
}
