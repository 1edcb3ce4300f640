package devicetunnel.relay.ws;

import devicetunnel.protocol.Protocol;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Cluster only: this relay's websocket client to siblings, for device streams that reached this
 * relay but belong to a sibling (a device that can reach only the load balancer), and for watches of
 * sessions a sibling holds. A stream connects to the sibling's own stream path with the device's
 * one-time token, exactly as the device would have; a watch with the watcher's credentials.
 * TLS is checked against the JVM's trust store (siblings' certificates must be trusted there).
 *
 * <p>Threads: owns a Jetty pool ({@code relay-sibling-io}), daemon threads.
 */
public final class SiblingStreamClient implements AutoCloseable {
    /** Siblings are on the relays' own network: a connect this slow means the sibling is in trouble. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final WebSocketClient client;

    public SiblingStreamClient() {
        ClientConnector connector = new ClientConnector();
        connector.setTCPNoDelay(true);
        connector.setConnectTimeout(CONNECT_TIMEOUT);
        connector.setSslContextFactory(new SslContextFactory.Client());
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("relay-sibling-io");
        threads.setDaemon(true);
        HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setExecutor(threads);
        client = new WebSocketClient(http);
        client.setStopAtShutdown(false);
        client.setIdleTimeout(Duration.ZERO); // the stream's own pings decide when it is dead
        client.setMaxBinaryMessageSize(Protocol.MAX_FRAME_BYTES);
        client.setMaxFrameSize(Protocol.MAX_FRAME_BYTES);
        client.setInputBufferSize(Protocol.COPY_BUFFER_BYTES);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the sibling websocket client", e);
        }
    }

    /** Opens {@code siblingUrl}'s stream {@code streamId} with the device's token. */
    CompletableFuture<Session> connect(Session.Listener listener, String siblingUrl, String streamId, String token) {
        URI uri = URI.create(siblingUrl.replaceFirst("^http", "ws").replaceAll("/+$", "") + Protocol.STREAMS_PATH + streamId);
        return connect(listener, uri, Map.of("Authorization", "Bearer " + token));
    }

    /** Opens a websocket to a sibling at {@code uri} (ws: or wss:) with these request headers. */
    CompletableFuture<Session> connect(Session.Listener listener, URI uri, Map<String, String> headers) {
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        headers.forEach(request::setHeader);
        request.setTimeout(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return client.connect(listener, request);
        } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // stopping anyway
        }
    }
}
