package devicetunnel.relay.ws;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Pings every watched websocket each interval, so proxies and load balancers that cut idle
 * connections (often at 60 s) see traffic, and Jetty's idle timeout only fires for dead peers.
 */
public final class WsKeepalive implements AutoCloseable {
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> task;

    public WsKeepalive(Duration interval, ScheduledExecutorService scheduler) {
        long period = interval.toMillis();
        task = scheduler.scheduleAtFixedRate(this::pingAll, period, period, TimeUnit.MILLISECONDS);
    }

    public void watch(Session session) {
        sessions.add(session);
    }

    public void forget(Session session) {
        sessions.remove(session);
    }

    private void pingAll() {
        for (Session s : sessions) {
            if (s.isOpen()) {
                s.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
            } else {
                sessions.remove(s);
            }
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
