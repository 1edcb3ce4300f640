package devicetunnel.relay.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.policy.AccessChanges;
import devicetunnel.relay.http.Json;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations and logouts, told to every relay over NATS ({@code <prefix>.access}): each relay
 * re-checks the named device or operator against the shared database and cuts its own sessions,
 * within a NATS round trip. Only names travel, never a decision: a forged message can make relays
 * re-check, not cut. A lost message (NATS down) is caught by each relay's sweep, every ping interval.
 */
final class AccessBroadcast implements AccessChanges {
    private static final Logger log = LoggerFactory.getLogger(AccessBroadcast.class);

    private final Connection nats;
    private final String subject;
    private final String relayId;

    AccessBroadcast(Connection nats, String subject, String relayId) {
        this.nats = nats;
        this.subject = subject;
        this.relayId = relayId;
    }

    @Override
    public void deviceChanged(String deviceId) {
        publish(Map.of("from", relayId, "device", deviceId));
    }

    @Override
    public void operatorChanged(String username) {
        publish(Map.of("from", relayId, "operator", username));
    }

    private void publish(Map<String, String> event) {
        try {
            nats.publish(subject, Json.write(event).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) { // closed connection: the siblings' sweeps catch up
            log.warn("cluster: could not announce an access change: {}", e.toString());
        }
    }

    /**
     * Hands siblings' changes to {@code device} / {@code operator} on {@code executor} (they read
     * the database; NATS's dispatcher thread must stay free).
     */
    Dispatcher listen(Consumer<String> device, Consumer<String> operator, Executor executor) {
        Dispatcher d = nats.createDispatcher(message -> {
            JsonNode event;
            try {
                event = Json.MAPPER.readTree(message.getData());
            } catch (IOException e) {
                log.warn("cluster: bad access change message: {}", e.toString());
                return;
            }
            if (relayId.equals(event.path("from").asText())) {
                return; // ours: already applied here
            }
            try {
                if (event.hasNonNull("device")) {
                    String id = event.get("device").asText();
                    executor.execute(() -> device.accept(id));
                } else if (event.hasNonNull("operator")) {
                    String name = event.get("operator").asText();
                    executor.execute(() -> operator.accept(name));
                }
            } catch (RejectedExecutionException e) {
                // the relay is stopping: nothing left to cut
            }
        });
        d.subscribe(subject);
        return d;
    }
}
