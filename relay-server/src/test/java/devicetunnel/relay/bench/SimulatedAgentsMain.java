package devicetunnel.relay.bench;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many lightweight agents in one JVM: each holds only a control link (JDK websocket) that says
 * hello and answers pings, no SSH server. Prints {@code WELCOMED n FAILED f} once every link was
 * tried, answers {@code COUNT} with {@code LIVE n}, and stops when stdin closes.
 *
 * <p>Arguments: relayBaseUrl links hostKeyFile
 */
public final class SimulatedAgentsMain {
    private static final int HANDSHAKES_IN_FLIGHT = 64;
    private static final int LINKS_PER_CLIENT = 2_500;

    static String deviceId(int i) {
        return String.format("sim-%05d", i);
    }

    private static final AtomicInteger welcomed = new AtomicInteger();
    private static final AtomicInteger failed = new AtomicInteger();
    private static final AtomicInteger live = new AtomicInteger();
    /** Counts down once per link: welcomed, refused, or closed before its welcome. */
    private static CountDownLatch settled;

    /** One simulated agent's link: hello on open, pong for each ping, sends chained one at a time. */
    private static final class Link implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private boolean counted;
        private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);

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
            settle();
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            live.decrementAndGet();
            settle();
        }

        private synchronized void settle() {
            if (!counted) {
                counted = true;
                settled.countDown();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        URI connect = URI.create(args[0].replace("http://", "ws://") + Protocol.CONNECT_PATH);
        int links = Integer.parseInt(args[1]);
        java.security.KeyPair hostKey = devicetunnel.protocol.KeyFiles.load(Path.of(args[2]));
        settled = new CountDownLatch(links);
        List<HttpClient> clients = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        Semaphore inFlight = new Semaphore(HANDSHAKES_IN_FLIGHT);
        for (int i = 0; i < links; i++) {
            if (i % LINKS_PER_CLIENT == 0) {
                clients.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build());
            }
            inFlight.acquire();
            clients.get(clients.size() - 1).newWebSocketBuilder()
                    .header(Protocol.DEVICE_ID_HEADER, deviceId(i))
                    .header("Authorization", "Bearer "
                            + new devicetunnel.agent.link.DeviceCredential(deviceId(i), hostKey, java.time.Clock.systemUTC()).proof())
                    .buildAsync(connect, new Link())
                    .whenComplete((ws, error) -> {
                        inFlight.release();
                        if (error != null) {
                            failed.incrementAndGet();
                            settled.countDown();
                        } else {
                            synchronized (sockets) {
                                sockets.add(ws);
                            }
                        }
                    });
        }
        settled.await(60, TimeUnit.SECONDS);
        System.out.println("WELCOMED " + welcomed.get() + " FAILED " + failed.get());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("COUNT")) {
                System.out.println("LIVE " + live.get());
            }
        }
        System.exit(0);
    }

    private SimulatedAgentsMain() {}
}
