package devicetunnel.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.store.EmbeddedStore;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DeviceRegistryTest {
    @TempDir
    Path dir;

    @Test
    void aNewerLinkClosesTheOlderWithLinkReplacedNotAConflict() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (Database db = EmbeddedStore.open(dir);
                DeviceRegistry registry = new DeviceRegistry(new DeviceStore(db.dataSource()), Duration.ofMinutes(1), scheduler)) {
            List<Integer> oldCloses = new CopyOnWriteArrayList<>();
            DeviceLink old = new DeviceLink("dev-1", session(oldCloses), "peer");
            DeviceLink newer = new DeviceLink("dev-1", session(new CopyOnWriteArrayList<>()), "peer");
            registry.register(old);
            registry.register(newer);
            assertThat(oldCloses).containsExactly(ErrorCode.LINK_REPLACED.closeCode());
            assertThat(registry.link("dev-1")).containsSame(newer);
            registry.unregister(old); // the old link's close callback must not evict its successor
            assertThat(registry.link("dev-1")).containsSame(newer);
        } finally {
            scheduler.shutdownNow();
        }
    }

    private static Session session(List<Integer> closes) {
        return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> true;
                    case "close" -> {
                        if (args != null && args.length == 3) {
                            closes.add((Integer) args[0]);
                        }
                        yield null;
                    }
                    default -> null;
                });
    }
}
