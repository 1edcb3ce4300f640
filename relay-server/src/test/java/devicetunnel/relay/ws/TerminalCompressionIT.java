package devicetunnel.relay.ws;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.support.TestRelay;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's answer to a browser's permessage-deflate offer (what Chromium sends on every
 * websocket): declined by default, accepted with {@code --terminal-compression fast|default}; the
 * terminal works either way.
 */
@Timeout(120)
class TerminalCompressionIT {
    private static final String CHROMIUM_OFFER = "permessage-deflate; client_max_window_bits";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    WebSocketClient client = new WebSocketClient();

    @BeforeEach
    void start() throws Exception {
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
    }

    @Test
    void declinesTheBrowsersOfferByDefault() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            assertThat(negotiatedOnAWorkingTerminal(relay)).isEmpty();
        }
    }

    @Test
    void acceptsItWhenConfigured() throws Exception {
        for (TerminalCompression on : new TerminalCompression[] {TerminalCompression.FAST, TerminalCompression.DEFAULT}) {
            try (TestRelay relay = new TestRelay(dir.resolve(on.name()),
                    config -> config.withSessions(config.sessions().withCompression(on)))) {
                assertThat(negotiatedOnAWorkingTerminal(relay)).as(on.name()).startsWith("permessage-deflate");
            }
        }
    }

    /** Opens a terminal offering deflate, checks a command's output arrives, returns the accepted extensions. */
    private String negotiatedOnAWorkingTerminal(TestRelay relay) throws Exception {
        relay.onlineDevice("dev-1");
        ClientUpgradeRequest request = new ClientUpgradeRequest(relay.ws("/api/v1/devices/dev-1/terminal?cols=80&rows=24"));
        request.setHeader("Authorization", "Bearer " + relay.adminToken());
        request.addExtensions(CHROMIUM_OFFER);
        Output output = new Output();
        Session session = client.connect(output, request).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try {
            output.sessionOpened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            session.sendBinary(ByteBuffer.wrap("echo compressed-$((6*7))\r".getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
            output.seen("compressed-42").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return String.join(",", session.getUpgradeResponse().getHeaders("Sec-WebSocket-Extensions"));
        } finally {
            session.close();
        }
    }

    /** Public: Jetty reaches listener methods through method handles. */
    public static final class Output implements Session.Listener.AutoDemanding {
        final CompletableFuture<Void> sessionOpened = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private String awaited;
        private CompletableFuture<Void> awaitedSeen;

        synchronized CompletableFuture<Void> seen(String marker) {
            awaited = marker;
            awaitedSeen = new CompletableFuture<>();
            check();
            return awaitedSeen;
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.contains("\"type\":\"session\"")) {
                sessionOpened.complete(null);
            }
        }

        @Override
        public synchronized void onWebSocketBinary(ByteBuffer data, Callback callback) {
            text.append(StandardCharsets.UTF_8.decode(data));
            check();
            callback.succeed();
        }

        private void check() {
            if (awaited != null && text.indexOf(awaited) >= 0) {
                awaitedSeen.complete(null);
            }
        }
    }
}
