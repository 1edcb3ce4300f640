package devicetunnel.relay.ws;

import devicetunnel.protocol.Liveness;
import devicetunnel.protocol.Periodic;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings every watched websocket each interval, so proxies and load balancers that cut idle
 * connections (often at 60 s) see traffic. Jetty's idle timeout cannot find a half-open peer (our
 * own pings count as activity) and Javalin does not surface pongs, so terminal sockets also get a
 * JSON {@code ping} that the client answers with {@code pong}: once a client has answered one, a
 * socket silent for two intervals is dropped. Device streams need no such check: the agent
 * watches them and the relay's SSH heartbeats test the device end to end.
 */
public final class WsKeepalive implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WsKeepalive.class);
    static final String PING = "{\"type\":\"ping\"}";

    private final Map<Session, Peer> peers = new ConcurrentHashMap<>();
    private final Duration silenceLimit;
    private final ScheduledFuture<?> pinger;
    private final ScheduledFuture<?> reaper;

    private static final class Peer {
        final boolean appPings;
        final Liveness liveness = new Liveness();
        volatile boolean answers;

        Peer(boolean appPings) {
            this.appPings = appPings;
        }
    }

    public WsKeepalive(Duration interval, ScheduledExecutorService scheduler) {
        silenceLimit = Liveness.silenceLimit(interval);
        pinger = Periodic.every(scheduler, "browser pings", interval, this::pingAll);
        reaper = Periodic.every(scheduler, "silent browser sockets", Liveness.checkPeriod(interval), this::reapSilent);
    }

    /** Protocol-level pings only. */
    public void watch(Session session) {
        peers.put(session, new Peer(false));
    }

    /** Protocol pings plus JSON pings whose answers prove the browser is still there. */
    public void watchTerminal(Session session) {
        peers.put(session, new Peer(true));
    }

    /** Any message arrived from the peer. */
    public void heard(Session session) {
        Peer p = peers.get(session);
        if (p != null) {
            p.liveness.heard();
        }
    }

    /** The peer answered a JSON ping: from now on its silence counts. */
    public void answered(Session session) {
        Peer p = peers.get(session);
        if (p != null) {
            p.answers = true;
            p.liveness.heard();
        }
    }

    public void forget(Session session) {
        peers.remove(session);
    }

    private void pingAll() {
        for (Map.Entry<Session, Peer> e : peers.entrySet()) {
            Session s = e.getKey();
            try {
                if (!s.isOpen()) {
                    peers.remove(s);
                    continue;
                }
                s.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
                if (e.getValue().appPings) {
                    s.sendText(PING, Callback.NOOP);
                }
            } catch (RuntimeException ex) {
                log.debug("keepalive ping failed: {}", ex.toString());
            }
        }
    }

    private void reapSilent() {
        for (Map.Entry<Session, Peer> e : peers.entrySet()) {
            Peer p = e.getValue();
            if (p.answers && p.liveness.silentLongerThan(silenceLimit)) {
                log.info("websocket from {} silent for two ping intervals; dropping it", e.getKey().getRemoteSocketAddress());
                peers.remove(e.getKey());
                e.getKey().disconnect();
            }
        }
    }

    @Override
    public void close() {
        pinger.cancel(false);
        reaper.cancel(false);
    }
}
