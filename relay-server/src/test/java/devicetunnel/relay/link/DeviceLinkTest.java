package devicetunnel.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.protocol.ControlMessage;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeviceLinkTest {

    @Test
    void anAgentThatNeverReadsIsDroppedOnceItsQueueIsFull() {
        List<Callback> pending = new ArrayList<>();
        AtomicBoolean open = new AtomicBoolean(true);
        AtomicBoolean disconnected = new AtomicBoolean();
        Session session = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> open.get();
                    case "sendText" -> pending.add((Callback) args[1]); // never written: the peer does not read
                    case "disconnect" -> {
                        disconnected.set(true);
                        open.set(false);
                        yield null;
                    }
                    default -> null;
                });
        DeviceLink link = new DeviceLink("dev-1", session, "peer", 1024);
        int sent = 0;
        while (!disconnected.get() && sent < 10_000) {
            link.send(new ControlMessage.Pong(System.currentTimeMillis()));
            sent++;
        }
        assertThat(disconnected).isTrue();
        assertThat(link.queuedBytes()).isLessThanOrEqualTo(1024);
        assertThat(sent).isLessThan(100);
        int queued = pending.size();
        link.send(new ControlMessage.Pong(1)); // closed: nothing more is queued
        assertThat(pending).hasSize(queued);
    }

    @Test
    void writtenMessagesFreeTheirBytes() {
        List<Callback> pending = new ArrayList<>();
        Session session = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> true;
                    case "sendText" -> pending.add((Callback) args[1]);
                    default -> null;
                });
        DeviceLink link = new DeviceLink("dev-1", session, "peer", 1024);
        for (int i = 0; i < 1000; i++) {
            link.send(new ControlMessage.Pong(i));
            pending.remove(0).succeed();
        }
        assertThat(link.queuedBytes()).isZero();
    }
}
