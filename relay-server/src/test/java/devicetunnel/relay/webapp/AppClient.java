package devicetunnel.relay.webapp;

import java.net.InetSocketAddress;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A client for app origins like {@code http://<id>.localhost:<port>}: browsers resolve
 * {@code *.localhost} to loopback themselves, the JDK does not, so this one is told to. No cookie
 * store: each test sends the cookies it means to send.
 */
final class AppClient implements AutoCloseable {
    final HttpClient http = new HttpClient();
    final WebSocketClient ws = new WebSocketClient(http);

    AppClient() throws Exception {
        http.setSocketAddressResolver((host, port, context, promise) ->
                promise.succeeded(List.of(new InetSocketAddress("127.0.0.1", port))));
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        http.setFollowRedirects(false);
        http.start();
        ws.start();
    }

    @Override
    public void close() throws Exception {
        ws.stop();
        http.stop();
    }
}
