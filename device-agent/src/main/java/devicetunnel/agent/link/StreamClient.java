package devicetunnel.agent.link;

import devicetunnel.protocol.Protocol;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The websocket client for the agent's streams (the control link keeps the JDK's). A stream moves
 * every byte of every session, and Jetty's client masks and frames them for a fraction of what the
 * JDK's costs, and connects faster. The relay's TLS trust; frames up to the protocol's limit; no
 * idle timeout of its own (each stream has a ping watchdog).
 *
 * <p>Threads: owns a Jetty pool and the {@code agent-stream-timer}, all daemon threads.
 */
public final class StreamClient implements AutoCloseable {
    private final WebSocketClient client;

    public StreamClient(SSLContext tls, Duration connectTimeout) throws IOException {
        ClientConnector connector = new ClientConnector();
        connector.setTCPNoDelay(true);
        connector.setConnectTimeout(connectTimeout);
        if (tls != null) {
            SslContextFactory.Client ssl = new SslContextFactory.Client();
            ssl.setSslContext(tls);
            connector.setSslContextFactory(ssl);
        }
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("agent-stream-io");
        threads.setDaemon(true);
        HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setExecutor(threads);
        http.setScheduler(new ScheduledExecutorScheduler("agent-stream-timer", true));
        client = new WebSocketClient(http);
        client.setStopAtShutdown(false);
        client.setIdleTimeout(Duration.ZERO);
        client.setMaxBinaryMessageSize(Protocol.MAX_FRAME_BYTES);
        client.setMaxFrameSize(Protocol.MAX_FRAME_BYTES);
        client.setInputBufferSize(Protocol.COPY_BUFFER_BYTES);
        try {
            client.start();
        } catch (Exception e) {
            throw new IOException("cannot start the stream websocket client", e);
        }
    }

    CompletableFuture<Session> connect(Session.Listener endpoint, URI uri, String bearerToken, Duration timeout)
            throws IOException {
        ClientUpgradeRequest request = new ClientUpgradeRequest(uri);
        request.setHeader("Authorization", "Bearer " + bearerToken);
        request.setTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return client.connect(endpoint, request);
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
