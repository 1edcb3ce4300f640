package devicetunnel.relay.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.link.DeviceLink;
import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.link.RemoteStreams;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.store.ClusterStore;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relay-to-relay requests over NATS. Each relay answers on {@code <prefix>.relay.<relayId>.open}:
 * "send the device whose link you hold an {@code open} for this stream, to this URL". The stream
 * token travels in the request (never logged); it is one-time, short-lived and only good at the
 * asking relay, which is why NATS must be reachable by relays alone (see docs/SCALING.md).
 */
final class ClusterBus implements RemoteStreams, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterBus.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    record OpenRequest(String from, String deviceId, String streamId, String token, String url) {}

    record StreamFailure(String deviceId, String streamId, String message) {}

    /** A stream this relay passed on to its device for a sibling: where to report the agent's failure. */
    private record Forwarded(String relayId, String deviceId) {}

    /** Passed-on streams are forgotten after this: by then the sibling's open has timed out anyway. */
    private static final long FORWARDED_MEMORY_SECONDS = 120;

    /** Relay ids are letters, digits, '-' and '_': the first '.' ends one in a stream id. */
    private final ClusterConfig config;
    private final Connection nats;
    private final ClusterStore store;
    private final LongSupplier clock;
    private final RelayDirectory directory;
    private final ConcurrentMap<String, Forwarded> forwarded = new ConcurrentHashMap<>();
    private volatile String selfUrl;
    private volatile ScheduledExecutorService scheduler;
    private volatile Dispatcher dispatcher;

    private ClusterBus(ClusterConfig config, Connection nats, ClusterStore store, LongSupplier clock,
                       RelayDirectory directory) {
        this.config = config;
        this.nats = nats;
        this.store = store;
        this.clock = clock;
        this.directory = directory;
    }

    /** Connects now, so a relay that cannot reach NATS refuses to start instead of half-working. */
    static ClusterBus connect(ClusterConfig config, ClusterStore store, LongSupplier clock, RelayDirectory directory) {
        NatsLogging logging = new NatsLogging();
        Options options = Options.builder()
                .server(config.natsUrl())
                .connectionName("relay-" + config.relayId())
                .connectionTimeout(Duration.ofSeconds(3))
                .maxReconnects(-1) // once up, ride out NATS restarts
                .connectionListener(logging)
                .errorListener(logging)
                .build();
        try {
            return new ClusterBus(config, Nats.connect(options), store, clock, directory);
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach NATS at " + config.natsUrl() + " (" + e.getMessage()
                    + "); start it (e.g. `nats-server -js`) or fix --cluster-nats-url", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
    }

    /**
     * Starts answering siblings' open requests for devices whose links {@code registry} holds, and
     * hands failures siblings report for streams of ours to {@code broker}.
     */
    void serve(DeviceRegistry registry, StreamBroker broker, String advertisedUrl, ScheduledExecutorService timer) {
        this.selfUrl = advertisedUrl;
        this.scheduler = timer;
        Dispatcher d = nats.createDispatcher(message -> {
            if (message.getSubject().endsWith(".open")) {
                answerOpen(registry, message);
            } else {
                streamFailed(broker, message);
            }
        });
        d.subscribe(config.openSubject(config.relayId()));
        d.subscribe(config.streamFailedSubject(config.relayId()));
        dispatcher = d;
    }

    private void streamFailed(StreamBroker broker, Message message) {
        try {
            StreamFailure failure = Json.MAPPER.readValue(message.getData(), StreamFailure.class);
            broker.agentFailed(failure.deviceId(), failure.streamId(), failure.message());
        } catch (IOException | RuntimeException e) {
            log.warn("cluster: bad stream-failed message: {}", e.toString());
        }
    }

    /** Runs on the dispatcher's thread, with no lock held: the link send may be made right here. */
    private void answerOpen(DeviceRegistry registry, Message message) {
        boolean sent = false;
        try {
            OpenRequest request = Json.MAPPER.readValue(message.getData(), OpenRequest.class);
            Optional<DeviceLink> link = registry.link(request.deviceId());
            if (link.isPresent()) {
                remember(request.streamId(), new Forwarded(request.from(), request.deviceId()));
                link.get().send(new ControlMessage.OpenStream(request.streamId(), request.token(), request.url()));
                sent = true;
                log.debug("passed stream {} of device {} on to {}", request.streamId(), request.deviceId(), request.url());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cluster: bad open request: {}", e.toString());
        }
        if (message.getReplyTo() != null) {
            nats.publish(message.getReplyTo(), Json.write(Map.of("ok", sent)).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void remember(String streamId, Forwarded f) {
        forwarded.put(streamId, f);
        scheduler.schedule(() -> forwarded.remove(streamId, f), FORWARDED_MEMORY_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void agentFailed(String deviceId, String streamId, String message) {
        Forwarded f = forwarded.remove(streamId);
        if (f != null && f.deviceId().equals(deviceId)) {
            nats.publish(config.streamFailedSubject(f.relayId()),
                    Json.write(new StreamFailure(deviceId, streamId, message)).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public String streamUrl() {
        return selfUrl;
    }

    @Override
    public Optional<String> holder(String deviceId) {
        try {
            return store.holder(deviceId, clock.getAsLong())
                    .map(ClusterStore.LiveRelay::relayId)
                    .filter(id -> !id.equals(config.relayId()));
        } catch (RuntimeException e) {
            // The store is unreachable: devices linked elsewhere are unreachable too (502, not 500).
            log.warn("cluster presence unreadable: {}", e.toString());
            return Optional.empty();
        }
    }

    @Override
    public CompletableFuture<Void> requestOpen(String holderId, String deviceId, String streamId, String token) {
        if (!connected()) {
            // Waiting for NATS would only hold the operator until the request times out.
            return CompletableFuture.failedFuture(new TunnelException(ErrorCode.DEVICE_UNREACHABLE,
                    "The device is connected to another relay, and this relay has lost the cluster's messaging "
                            + "(NATS); try again shortly."));
        }
        byte[] body = Json.write(new OpenRequest(config.relayId(), deviceId, streamId, token, selfUrl))
                .getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Message> replied;
        try {
            replied = nats.requestWithTimeout(config.openSubject(holderId), body, REQUEST_TIMEOUT);
        } catch (RuntimeException e) { // e.g. the connection is closed
            return CompletableFuture.failedFuture(e);
        }
        return replied.thenAccept(reply -> {
            JsonNode answer;
            try {
                answer = Json.MAPPER.readTree(reply.getData());
            } catch (IOException e) {
                throw new IllegalStateException("unreadable answer from relay " + holderId);
            }
            if (!answer.path("ok").asBoolean(false)) {
                throw new IllegalStateException("relay " + holderId + " no longer holds the link of " + deviceId);
            }
        });
    }

    @Override
    public String newStreamId() {
        return directory.mint(UUID.randomUUID().toString());
    }

    @Override
    public Optional<String> ownerUrl(String streamId) {
        return directory.ownerUrl(streamId); // our own, no longer pending: refused like any stale stream
    }

    /** The NATS connection, for the cluster's other subjects (access changes). */
    Connection connection() {
        return nats;
    }

    /** Whether siblings can reach this relay and it them (the NATS client reconnects by itself). */
    boolean connected() {
        return nats.getStatus() == Connection.Status.CONNECTED;
    }

    /** "connected", or what the NATS client is doing instead (reconnecting, closed...). */
    String natsStatus() {
        Connection.Status status = nats.getStatus();
        return status == Connection.Status.CONNECTED ? "connected" : status.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void close() {
        try {
            Dispatcher d = dispatcher;
            if (d != null) {
                nats.closeDispatcher(d);
            }
            nats.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
