package devicetunnel.relay.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import devicetunnel.protocol.DaemonThreads;
import devicetunnel.relay.auth.Credentials;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code --metrics-listen}: {@code /metrics} alone on its own address, for a scraper on a private
 * network. Without a scrape token anyone who reaches the address may read it; with one
 * ({@code --metrics-token-file}) it is required here too.
 *
 * <p>Threads: one {@code relay-metrics-N} thread answers scrapes.
 */
public final class MetricsListener implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("relay-metrics"));

    public MetricsListener(String host, int port, RelayMetrics metrics, MetricsAccess access) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext(MetricsRoute.PATH, exchange -> answer(exchange, metrics, access));
        server.setExecutor(executor);
        server.start();
    }

    private static void answer(HttpExchange exchange, RelayMetrics metrics, MetricsAccess access) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(MetricsRoute.PATH)) {
                exchange.sendResponseHeaders(404, -1);
            } else if (access.hasToken()
                    && !access.isScrapeToken(Credentials.bearer(exchange.getRequestHeaders().getFirst("Authorization")))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                exchange.sendResponseHeaders(401, -1);
            } else {
                byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", RelayMetrics.contentType());
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
