package devicetunnel.relay.ssh;

import devicetunnel.relay.http.Json;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The watchers of one terminal session. Not thread-safe: the session calls it under its own
 * monitor, so joining (replay of the ring, then live output) and delivering are one order. Every
 * method adds the viewer calls to make to {@code out}; the session runs them after releasing its
 * monitor (see "Locks" in docs/ARCHITECTURE.md).
 */
final class SessionAudience {
    /** Close code for a watcher that fell too far behind (1008: policy violation). */
    static final int TOO_SLOW = 1008;

    private final Map<String, Watcher> watchers = new LinkedHashMap<>();
    private final SessionTraffic traffic;

    /** @param traffic where the relay counts its watchers (for the metrics) */
    SessionAudience(SessionTraffic traffic) {
        this.traffic = traffic;
    }

    void add(Watcher w, List<Runnable> out, String hello, byte[] replay) {
        if (watchers.put(w.id(), w) == null) {
            traffic.watchersChanged(1);
        }
        w.offerControl(hello, out);
        if (replay.length > 0) {
            w.offerOutput(ByteBuffer.wrap(replay), out);
        }
    }

    boolean remove(Watcher w) {
        boolean removed = watchers.remove(w.id(), w);
        if (removed) {
            traffic.watchersChanged(-1);
        }
        return removed;
    }

    Optional<Watcher> find(String id) {
        return Optional.ofNullable(watchers.get(id));
    }

    List<Watcher> all() {
        return List.copyOf(watchers.values());
    }

    boolean isEmpty() {
        return watchers.isEmpty();
    }

    /** Live output to every watcher; one that is too far behind is dropped (returned, so the caller can tell). */
    List<Watcher> output(byte[] data, int n, List<Runnable> out) {
        List<Watcher> dropped = new ArrayList<>();
        for (Watcher w : watchers.values()) {
            // each watcher gets its own copy: the pump's buffer is reused and sends complete later
            if (!w.offerOutput(ByteBuffer.wrap(java.util.Arrays.copyOf(data, n)), out)) {
                dropped.add(w);
            }
        }
        for (Watcher w : dropped) {
            remove(w);
            w.offerClose(TOO_SLOW, "watcher too far behind", out);
        }
        return dropped;
    }

    /** Ends every watcher: {@code message} (if any) then a close. */
    void endAll(String message, int code, String reason, List<Runnable> out) {
        for (Watcher w : watchers.values()) {
            if (message != null) {
                w.offerControl(message, out);
            }
            w.offerClose(code, reason, out);
        }
        traffic.watchersChanged(-watchers.size());
        watchers.clear();
    }

    /** What the owner's browser is told whenever the audience changes. */
    String listMessage() {
        return Json.write(Map.of("type", "watchers", "watchers", watchers.values().stream().map(Watcher::view).toList()));
    }
}
