package devicetunnel.relay.support;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.Protocol;
import io.javalin.Javalin;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A minimal hostile "relay" on a chosen port: it accepts any device without checking its proof,
 * answers each hello with the messages a test scripts, and accepts every stream websocket (and
 * holds it open, saying nothing). It records what the agent sends and how many streams it opened.
 */
public final class FakeRelay implements AutoCloseable {
    private final Javalin app;
    private final List<ControlMessage> fromAgent = new CopyOnWriteArrayList<>();
    private final AtomicInteger streamsOpened = new AtomicInteger();
    private final AtomicInteger streamsOpen = new AtomicInteger();
    private final AtomicInteger mostStreamsOpen = new AtomicInteger();

    /** {@code onHello}: the messages to send, in order, after the agent's hello. */
    public FakeRelay(int port, Function<ControlMessage.Hello, List<ControlMessage>> onHello) {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.ws(Protocol.CONNECT_PATH, ws -> ws.onMessage(ctx -> {
                ControlMessage message = ControlCodec.decode(ctx.message());
                fromAgent.add(message);
                if (message instanceof ControlMessage.Hello hello) {
                    for (ControlMessage reply : onHello.apply(hello)) {
                        ctx.send(ControlCodec.encode(reply));
                    }
                }
            }));
            cfg.routes.ws(Protocol.STREAMS_PATH + "{streamId}", ws -> {
                ws.onConnect(ctx -> {
                    streamsOpened.incrementAndGet();
                    mostStreamsOpen.accumulateAndGet(streamsOpen.incrementAndGet(), Math::max);
                });
                ws.onClose(ctx -> streamsOpen.decrementAndGet());
            });
        }).start("127.0.0.1", port);
    }

    public List<ControlMessage> fromAgent() {
        return List.copyOf(fromAgent);
    }

    public int streamsOpened() {
        return streamsOpened.get();
    }

    public int mostStreamsOpen() {
        return mostStreamsOpen.get();
    }

    @Override
    public void close() {
        app.stop();
    }
}
