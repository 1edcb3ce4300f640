package devicetunnel.relay.bench;

import devicetunnel.agent.link.Backoff;
import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.Protocol;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many lightweight agents in one JVM: each holds only a control link (JDK websocket) that says
 * hello and answers pings, no SSH server. Each link dials as the agent does: its {@link Backoff}
 * (full jitter from 500 ms, doubling up to the cap, reset once a link stayed up 30 s) after a
 * refused or failed attempt (a busy relay's 503), and its 10 s handshake timeout. Prints
 * {@code WELCOMED n FAILED f} once every link was welcomed (f: first attempts refused), answers
 * {@code COUNT} with {@code LIVE n} and {@code REDIALS} with {@code REDIALS n REFUSED r} (redials so
 * far, and how many of them failed), and stops when stdin closes. With a reconnect cap, a welcomed
 * link that drops dials again too, as the cluster's failover figure needs; without, it stays down.
 *
 * <p>Arguments: relayBaseUrl links hostKeyFile [reconnectCapMillis [firstDeviceIndex]] (several
 * instances against one cluster take disjoint ranges of {@code sim-N} ids)
 */
public final class SimulatedAgentsMain {
    private static final int HANDSHAKES_IN_FLIGHT = 64;
    private static final int LINKS_PER_CLIENT = 2_500;
    /** The agent's defaults ({@code --connect-timeout}, its backoff's base and reset). */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration BACKOFF_BASE = Duration.ofMillis(500);
    private static final Duration STABLE_AFTER = Duration.ofSeconds(30);
    private static final Duration DEFAULT_CAP = Duration.ofSeconds(60);

    static String deviceId(int i) {
        return String.format("sim-%05d", i);
    }

    private static final AtomicInteger welcomed = new AtomicInteger();
    private static final AtomicInteger failed = new AtomicInteger();
    private static final AtomicInteger live = new AtomicInteger();
    private static final AtomicInteger redials = new AtomicInteger();
    private static final AtomicInteger redialsRefused = new AtomicInteger();
    private static final java.util.concurrent.ScheduledExecutorService redial =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    private static URI connect;
    private static java.security.KeyPair hostKey;
    private static final List<HttpClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static long reconnectCapMillis;
    /** Per link, across its redials, as each agent keeps one. */
    private static Backoff[] backoffs;
    /** With a cap given, links that drop after their welcome dial again; without, they stay down. */
    private static boolean redialDropped;
    private static int firstIndex;
    /** Counts down once per link, at its first welcome. */
    private static CountDownLatch settled;

    /** One simulated agent's link: hello on open, pong for each ping, sends chained one at a time. */
    private static final class Link implements WebSocket.Listener {
        private final int index;
        private final StringBuilder text = new StringBuilder();
        private boolean counted;
        private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);

        Link(int index) {
            this.index = index;
        }

        synchronized void send(WebSocket ws, ControlMessage message) {
            String json = ControlCodec.encode(message);
            sendTail = sendTail.handle((r, e) -> null).thenCompose(v -> ws.sendText(json, true));
        }

        @Override
        public void onOpen(WebSocket ws) {
            live.incrementAndGet();
            send(ws, new ControlMessage.Hello(Protocol.VERSION, "bench-sim", null));
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                ControlMessage message = ControlCodec.decode(text.toString());
                text.setLength(0);
                if (message instanceof ControlMessage.Ping ping) {
                    send(ws, new ControlMessage.Pong(ping.sentAtMillis()));
                } else if (message instanceof ControlMessage.Welcome) {
                    backoffs[index].connected();
                    welcomed.incrementAndGet();
                    settle();
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            live.decrementAndGet();
            lost();
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            live.decrementAndGet();
            lost();
        }

        /** Gone: dialled again if it was never welcomed, or when dropped links redial (a cap was given). */
        private void lost() {
            boolean wasWelcomed;
            synchronized (this) {
                wasWelcomed = counted;
            }
            if (!wasWelcomed || redialDropped) {
                redialLater(index);
            }
        }

        private synchronized void settle() {
            if (!counted) {
                counted = true;
                settled.countDown();
            }
        }
    }

    /** With a reconnect cap: dial again after the agent's backoff, until a link is welcomed. */
    private static void redialLater(int index) {
        long wait = backoffs[index].nextDelayMillis();
        redial.schedule(() -> dial(clients.get(index / LINKS_PER_CLIENT), index).whenComplete((ws, error) -> {
            redials.incrementAndGet();
            if (error != null) {
                redialsRefused.incrementAndGet();
                redialLater(index);
            }
        }), wait, TimeUnit.MILLISECONDS);
    }

    /** A fresh proof each time: the relay refuses a replayed one. */
    private static CompletableFuture<WebSocket> dial(HttpClient client, int i) {
        return client.newWebSocketBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .header(Protocol.DEVICE_ID_HEADER, deviceId(firstIndex + i))
                .header("Authorization", "Bearer " + new devicetunnel.agent.link.DeviceCredential(deviceId(firstIndex + i),
                        hostKey, java.time.Clock.systemUTC()).proof())
                .buildAsync(connect, new Link(i));
    }

    public static void main(String[] args) throws Exception {
        connect = URI.create(args[0].replace("http://", "ws://") + Protocol.CONNECT_PATH);
        int links = Integer.parseInt(args[1]);
        hostKey = devicetunnel.protocol.KeyFiles.load(Path.of(args[2]));
        reconnectCapMillis = args.length > 3 ? Long.parseLong(args[3]) : 0;
        firstIndex = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        redialDropped = reconnectCapMillis > 0;
        Duration cap = redialDropped ? Duration.ofMillis(reconnectCapMillis) : DEFAULT_CAP;
        backoffs = new Backoff[links];
        for (int i = 0; i < links; i++) {
            backoffs[i] = new Backoff(BACKOFF_BASE.compareTo(cap) < 0 ? BACKOFF_BASE : cap, cap, STABLE_AFTER,
                    ThreadLocalRandom.current(), System::currentTimeMillis);
        }

        settled = new CountDownLatch(links);
        List<WebSocket> sockets = new ArrayList<>();
        Semaphore inFlight = new Semaphore(HANDSHAKES_IN_FLIGHT);
        for (int i = 0; i < links; i++) {
            int index = i;
            if (i % LINKS_PER_CLIENT == 0) {
                clients.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build());
            }
            inFlight.acquire();
            dial(clients.get(clients.size() - 1), i)
                    .whenComplete((ws, error) -> {
                        inFlight.release();
                        if (error != null) {
                            failed.incrementAndGet(); // first attempts refused (e.g. a busy relay's 503): dialled again
                            redialLater(index);
                        } else {
                            synchronized (sockets) {
                                sockets.add(ws);
                            }
                        }
                    });
        }
        settled.await(3, TimeUnit.MINUTES);
        System.out.println("WELCOMED " + welcomed.get() + " FAILED " + failed.get());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("COUNT")) {
                System.out.println("LIVE " + live.get());
            } else if (line.equals("REDIALS")) {
                System.out.println("REDIALS " + redials.get() + " REFUSED " + redialsRefused.get());
            }
        }
        System.exit(0);
    }

    private SimulatedAgentsMain() {}
}
