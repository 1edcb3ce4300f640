package devicetunnel.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.Protocol;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One lost link, one reconnect, whatever reported the loss (a close, a drain, a refused welcome):
 * a lost link that reconnected twice would replace its own new link on the relay (close 4001) in
 * a loop. A drain waits the delay the relay asked for, not the backoff. (The generation check in
 * ControlLink is what guarantees the "once"; with the JDK client a second report is rare, since an
 * aborted socket reports nothing more, so these tests pin the contract rather than that race.)
 */
@Timeout(60)
class ControlLinkReconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<WsContext> connections = new CopyOnWriteArrayList<>();
    private Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMinutes(1),
            new Random(1), System::currentTimeMillis);
    private final AtomicBoolean shellsRunning = new AtomicBoolean();
    private Javalin relay;
    private ControlLink link;

    /** A relay that hands each hello (numbered from 1) to {@code onHello}; the agent trusts every welcome. */
    private void startRelay(BiConsumer<Integer, WsContext> onHello) {
        startRelay(onHello, welcome -> null);
    }

    private void startRelay(BiConsumer<Integer, WsContext> onHello, ControlLink.WelcomeCheck check) {
        relay = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.ws(Protocol.CONNECT_PATH, ws -> ws.onMessage(ctx -> {
                if (ControlCodec.decode(ctx.message()) instanceof ControlMessage.Hello) {
                    connections.add(ctx);
                    onHello.accept(connections.size(), ctx);
                }
            }));
        }).start("127.0.0.1", 0);
        link = new ControlLink(HttpClient.newHttpClient(),
                new RelayEndpoint(URI.create("http://127.0.0.1:" + relay.port())),
                new DeviceCredential("dev-1", KeyFiles.generate(), Clock.systemUTC()), () -> { }, "ssh-ed25519 AAAA",
                "test", (streamId, token, url) -> { }, check, settings -> { }, backoff, shellsRunning::get, scheduler,
                Duration.ofSeconds(5), new LinkState(Clock.systemUTC(), () -> { }));
        link.start();
    }

    @AfterEach
    void stop() {
        if (link != null) {
            link.close();
        }
        if (relay != null) {
            relay.stop();
        }
        scheduler.shutdownNow();
    }

    private static void send(WsContext ctx, ControlMessage message) {
        ctx.send(ControlCodec.encode(message));
    }

    private static ControlMessage.Welcome welcome() {
        return new ControlMessage.Welcome(Protocol.VERSION, 60_000, List.of(), List.of(), null);
    }

    @Test
    void aRefusedWelcomeAndTheRelaysAnsweringCloseAreOneLostLink() {
        AtomicInteger refusals = new AtomicInteger();
        startRelay((n, ctx) -> send(ctx, welcome()),
                welcome -> refusals.incrementAndGet() <= 2 ? "keys not pinned" : null);
        await().atMost(WAIT).until(() -> link.isOnline());
        assertThat(connections).as("two refused links, then the trusted one").hasSize(3);
        assertThat(backoff.attempt()).isEqualTo(2);
    }

    @Test
    void aDrainFollowedByTheRelaysCloseReconnectsOnceAfterTheDrainDelay() {
        startRelay((n, ctx) -> {
            send(ctx, welcome());
            if (n == 1) {
                send(ctx, new ControlMessage.Drain(300, "upgrade"));
                ctx.closeSession(1001, "going away");
            }
        });
        await().atMost(WAIT).until(() -> connections.size() == 2 && link.isOnline());
        assertThat(backoff.attempt()).as("the close after the drain asked for a backoff delay too").isZero();
        assertThat(connections).hasSize(2);
    }

    @Test
    void aDeviceWithRunningShellsRedialsALostLinkAtOnceRatherThanAfterTheBackoff() {
        // Seeded: this backoff's first delay is 28.4 s, so only the shortcut reconnects in time.
        assertThat(new Random(2).nextLong(30_001)).isGreaterThan(20_000);
        backoff = new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(1), new Random(2),
                System::currentTimeMillis);
        shellsRunning.set(true);
        startRelay((n, ctx) -> {
            send(ctx, welcome());
            if (n == 1) {
                ctx.closeSession(1011, "relay died");
            }
        });
        await().atMost(WAIT).until(() -> connections.size() == 2 && link.isOnline());
        assertThat(connections).as("each connect says shells are waiting, so a busy relay lets it in first")
                .allSatisfy(c -> assertThat(c.header(Protocol.SHELLS_HEADER)).isEqualTo("1"));
    }

    @Test
    void aDeviceWithoutShellsDoesNotAskToBeLetInFirst() {
        startRelay((n, ctx) -> send(ctx, welcome()));
        await().atMost(WAIT).until(() -> link.isOnline());
        assertThat(connections.get(0).header(Protocol.SHELLS_HEADER)).isNull();
    }

    @Test
    void aRelayThatClosesEveryLinkIsRetriedOnceEachTime() {
        startRelay((n, ctx) -> {
            if (n <= 3) {
                ctx.closeSession(1011, "broken");
            } else {
                send(ctx, welcome());
            }
        });
        await().atMost(WAIT).until(() -> connections.size() == 4 && link.isOnline());
        assertThat(backoff.attempt()).as("one backoff delay per lost link").isEqualTo(3);
    }
}
