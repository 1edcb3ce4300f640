package devicetunnel.relay.support;

import devicetunnel.agent.link.DeviceCredential;
import devicetunnel.protocol.Protocol;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A device control link driven by hand (valid proof, then whatever the test sends); keeps every text message the relay sends. */
public final class RawAgentLink implements WebSocket.Listener, AutoCloseable {
    public final List<String> received = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    public static RawAgentLink open(TestRelay relay, String deviceId, KeyPair hostKey) throws Exception {
        return open(relay, deviceId, hostKey, java.util.Map.of());
    }

    /** With {@code headers} on the upgrade besides the device's id and proof. */
    public static RawAgentLink open(TestRelay relay, String deviceId, KeyPair hostKey, java.util.Map<String, String> headers)
            throws Exception {
        RawAgentLink link = new RawAgentLink();
        var builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .header(Protocol.DEVICE_ID_HEADER, deviceId)
                .header("Authorization", "Bearer " + new DeviceCredential(deviceId, hostKey, Clock.systemUTC()).proof());
        headers.forEach(builder::header);
        link.socket = builder.buildAsync(relay.ws(Protocol.CONNECT_PATH), link).get(10, TimeUnit.SECONDS);
        return link;
    }

    public void send(String text) throws Exception {
        socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    /** How many messages so far contain {@code fragment}. */
    public long count(String fragment) {
        return received.stream().filter(m -> m.contains(fragment)).count();
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            received.add(partial.toString());
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closeCode.complete(-1);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
