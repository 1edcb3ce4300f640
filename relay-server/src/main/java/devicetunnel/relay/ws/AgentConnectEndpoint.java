package devicetunnel.relay.ws;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.TrustRotation;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.protocol.JdkKeys;
import devicetunnel.relay.auth.DeviceProofs;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.link.DeviceLink;
import devicetunnel.relay.policy.RateLimiter;
import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.link.FactsIntake;
import devicetunnel.relay.link.HandshakeGate;
import devicetunnel.relay.link.MessageRate;
import devicetunnel.relay.link.RefusalLog;
import devicetunnel.relay.metrics.RelayMetrics;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.store.DeviceStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /agent/v1/connect}: a device's control link. Before the upgrade: a per-address rate limit
 * (429), a bound on handshakes in flight ({@link HandshakeGate}: 503 past it), the device's status
 * (403 while pending or revoked, checked first so a refused device costs no signature check), then
 * its proof of possession of the host key pinned at enrollment (401).
 * Refusals are logged and audited aggregated ({@link RefusalLog}). It counts as online once it has
 * said hello (once) and been welcomed; a link that does not say hello within the auth timeout is
 * closed. After that, per message the relay touches memory only: a link sending faster than
 * {@link #MAX_MESSAGES_PER_SECOND} is closed, and what it queues unread is capped ({@link DeviceLink}).
 */
public final class AgentConnectEndpoint {
    private static final Logger log = LoggerFactory.getLogger(AgentConnectEndpoint.class);
    private static final String DEVICE_ATTRIBUTE = "deviceId";
    private static final String HOST_KEY_ATTRIBUTE = "enrolledHostKey";
    private static final String TICKET_ATTRIBUTE = "handshakeTicket";
    /** A well-behaved agent sends a ping per interval and a stream failure now and then. */
    static final int MAX_MESSAGES_PER_SECOND = 20;

    private final DeviceStore devices;
    private final DeviceRegistry registry;
    private final StreamBroker broker;
    private final AuditLog audit;
    private final Supplier<List<String>> relayKeys;
    private final List<String> userCaKeys;
    private final TrustRotation rotation;
    private final DeviceFeatureStore features;
    private final DeviceProofs proofs;
    private final ScheduledExecutorService scheduler;
    private final Duration helloTimeout;
    private final RateLimiter connects;
    private final HandshakeGate handshakes;
    private final RefusalLog refusals;
    private final RelayMetrics metrics;
    private final FactsIntake facts;
    private final Map<String, DeviceLink> links = new ConcurrentHashMap<>();
    private final Map<DeviceLink, Admitted> admitted = new ConcurrentHashMap<>();
    private final Set<DeviceLink> welcomed = ConcurrentHashMap.newKeySet();

    public AgentConnectEndpoint(DeviceStore devices, DeviceRegistry registry, StreamBroker broker, AuditLog audit,
                                Supplier<List<String>> relayKeys, List<String> userCaKeys, TrustRotation rotation,
                                DeviceFeatureStore features,
                                DeviceProofs proofs, ScheduledExecutorService scheduler, Duration helloTimeout,
                                RateLimiter connects, HandshakeGate handshakes, RefusalLog refusals, RelayMetrics metrics,
                                FactsIntake facts) {
        this.handshakes = handshakes;
        this.metrics = metrics;
        this.facts = facts;
        this.connects = connects;
        this.refusals = refusals;
        this.devices = devices;
        this.registry = registry;
        this.broker = broker;
        this.audit = audit;
        this.relayKeys = relayKeys;
        this.userCaKeys = userCaKeys;
        this.rotation = rotation;
        this.features = features;
        this.proofs = proofs;
        this.scheduler = scheduler;
        this.helloTimeout = helloTimeout;
    }

    public void install(RoutesConfig routes) {
        routes.wsBeforeUpgrade(Protocol.CONNECT_PATH, this::authenticate);
        routes.ws(Protocol.CONNECT_PATH, this::configure);
    }

    private void authenticate(Context ctx) {
        String ip = ctx.ip();
        // Cheapest first: the address's budget, then one indexed read; the signature check comes last.
        connects.acquire(ip, () -> refusals.refused("device.connect.rate_limited", null, ip, "too many connects from one address"));
        Object ticket = handshakes.tryEnter("1".equals(ctx.header(Protocol.SHELLS_HEADER)));
        if (ticket == null) {
            // Not audited or logged per device: this is a reconnect storm, and the metric counts it.
            metrics.deviceConnectShed();
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "The relay is busy with other devices' connects; retry shortly.");
        }
        try {
            admit(ctx, ip);
        } catch (RuntimeException e) {
            handshakes.leave(ticket);
            throw e;
        }
        ctx.attribute(TICKET_ATTRIBUTE, ticket);
    }

    private void admit(Context ctx, String ip) {
        String deviceId = ctx.header(Protocol.DEVICE_ID_HEADER);
        boolean validId = Protocol.isValidDeviceId(deviceId);
        Device device = validId ? devices.find(deviceId).orElse(null) : null;
        if (device == null || device.hostKey() == null) {
            // Made-up ids share one key, so a scan of ids cannot grow the aggregation table.
            refusals.refused("device.auth.failed", null, ip, "unknown device");
            metrics.authFailure(RelayMetrics.AuthFailure.UNKNOWN_DEVICE);
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Device credential refused.");
        }
        if (device.status() != Device.Status.ACCEPTED) {
            refusals.refused("device.connect.refused", deviceId, ip, "device is " + Enrollments.status(device));
            throw new TunnelException(ErrorCode.FORBIDDEN, "Device is " + Enrollments.status(device) + ".");
        }
        try {
            proofs.verify(deviceId, Credentials.bearer(ctx.header("Authorization")), device.hostKey());
        } catch (TunnelException e) {
            // The reason goes to the audit log only: the device learns no more than "refused".
            refusals.refused("device.auth.failed", deviceId, ip, e.getMessage());
            metrics.authFailure(RelayMetrics.AuthFailure.BAD_DEVICE_PROOF);
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Device credential refused.");
        }
        ctx.attribute(DEVICE_ATTRIBUTE, deviceId);
        ctx.attribute(HOST_KEY_ATTRIBUTE, device.hostKey());
    }

    /**
     * What the upgrade established about a link: its message budget, the host key it proved
     * possession of (kept so hello need not read the device again: a mass reconnect after a relay
     * of the cluster died is paced by such reads) and its handshake ticket, handed back at the welcome.
     */
    private record Admitted(MessageRate rate, String enrolledHostKey, Object ticket) {}

    private void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            String deviceId = ctx.attribute(DEVICE_ATTRIBUTE);
            DeviceLink link = new DeviceLink(deviceId, ctx.session, String.valueOf(ctx.session.getRemoteSocketAddress()));
            links.put(ctx.sessionId(), link);
            admitted.put(link, new Admitted(new MessageRate(MAX_MESSAGES_PER_SECOND, System::nanoTime),
                    ctx.attribute(HOST_KEY_ATTRIBUTE), ctx.attribute(TICKET_ATTRIBUTE)));
            scheduler.schedule(() -> {
                if (!welcomed.contains(link) && link.isOpen()) {
                    log.warn("device {} did not say hello within {} s; closing", deviceId, helloTimeout.toSeconds());
                    link.send(new ControlMessage.Error(ErrorCode.AUTH_TIMEOUT.code(), "No hello in time."));
                    link.close(ErrorCode.AUTH_TIMEOUT.closeCode(), "no hello in time");
                }
            }, helloTimeout.toMillis(), TimeUnit.MILLISECONDS);
        });
        ws.onMessage(ctx -> {
            DeviceLink link = links.get(ctx.sessionId());
            if (link == null) {
                return;
            }
            link.heard();
            Admitted state = admitted.get(link);
            if (state != null && !state.rate().tryTake()) {
                log.warn("device {} floods its control link; closing it", link.deviceId());
                refuse(ctx, ErrorCode.TOO_MANY_REQUESTS, "Too many control messages.");
                return;
            }
            ControlMessage message;
            try {
                message = ControlCodec.decode(ctx.message());
            } catch (TunnelException e) {
                log.warn("device {} sent a bad control message: {}", link.deviceId(), e.getMessage());
                refuse(ctx, e.code(), e.getMessage());
                return;
            }
            handle(ctx, link, message);
        });
        ws.onBinaryMessage(ctx -> refuse(ctx, ErrorCode.BAD_REQUEST, "The control link carries JSON text frames only."));
        ws.onClose(ctx -> closed(ctx));
        ws.onError(ctx -> closed(ctx));
    }

    private void handle(WsContext ctx, DeviceLink link, ControlMessage message) {
        if (message instanceof ControlMessage.Hello hello) {
            if (welcomed.contains(link)) {
                // Each hello reads the store and registers the link (a database write): once per link only.
                refuse(ctx, ErrorCode.BAD_REQUEST, "Hello was already said on this link.");
                return;
            }
            hello(link, hello);
        } else if (message instanceof ControlMessage.Pong) {
            // heard() above is all a pong is for
        } else if (message instanceof ControlMessage.Ping ping) {
            link.send(new ControlMessage.Pong(ping.sentAtMillis()));
        } else if (message instanceof ControlMessage.Facts reported) {
            facts(link, reported);
        } else if (message instanceof ControlMessage.Unknown unknown) {
            // A newer agent's message: ignoring it keeps mixed versions working during an upgrade.
            log.debug("device {} sent a control message type this relay does not know: {}", link.deviceId(), unknown.type());
        } else if (message instanceof ControlMessage.StreamFailed failed) {
            broker.agentFailed(link.deviceId(), failed.streamId(), failed.message());
        } else if (message instanceof ControlMessage.Error error
                && ErrorCode.RELAY_KEY_MISMATCH.code().equals(error.error())) {
            // The device pinned other relay keys at enrollment: our keys changed without a rotation
            // it could verify (or it enrolled elsewhere). It closes the link itself; an admin must look.
            audit.record("device.relay_key.refused", null, link.deviceId(), null, link.remoteAddress(),
                    "the device refused this relay's keys: they are not the ones it pinned at enrollment");
            log.warn("device {} refused this relay's keys (not the ones it pinned at enrollment)", link.deviceId());
        } else {
            refuse(ctx, ErrorCode.BAD_REQUEST, "Unexpected message type from an agent.");
        }
    }

    /** Facts are advisory: bad ones are refused with an error message, and the link stays up. */
    private void facts(DeviceLink link, ControlMessage.Facts reported) {
        if (!welcomed.contains(link)) {
            link.send(new ControlMessage.Error(ErrorCode.BAD_REQUEST.code(), "Facts before hello are ignored."));
            return;
        }
        try {
            facts.accept(link, reported.facts());
        } catch (TunnelException e) {
            // Debug only: the device hears why, and a hostile one must not fill the relay's log.
            log.debug("device {} sent facts the relay refuses: {}", link.deviceId(), e.getMessage());
            link.send(new ControlMessage.Error(e.code().code(), e.getMessage()));
        }
    }

    private void hello(DeviceLink link, ControlMessage.Hello hello) {
        if (hello.protocolVersion() != Protocol.VERSION) {
            link.send(new ControlMessage.Error(ErrorCode.BAD_REQUEST.code(),
                    "protocol version " + hello.protocolVersion() + " unsupported; relay speaks " + Protocol.VERSION));
            link.close(ErrorCode.BAD_REQUEST.closeCode(), "unsupported protocol version");
            return;
        }
        String deviceId = link.deviceId();
        Admitted state = admitted.get(link);
        String onRecord = state == null ? null : state.enrolledHostKey();
        if (hello.hostKey() != null && !hello.hostKey().isBlank() && !JdkKeys.sameOpenSshKey(onRecord, hello.hostKey())) {
            // It signed its proof with the enrolled key yet announces another: something is wrong on the device.
            audit.record("device.hostkey.changed", null, deviceId, null, link.remoteAddress(),
                    "hello announced a host key different from the enrolled one; link refused");
            link.send(new ControlMessage.Error(ErrorCode.HOST_KEY_MISMATCH.code(), "Host key differs from the enrolled one."));
            link.close(ErrorCode.HOST_KEY_MISMATCH.closeCode(), "host key differs from the enrolled one");
            return;
        }
        welcomed.add(link);
        registry.register(link);
        link.send(new ControlMessage.Welcome(Protocol.VERSION, registry.pingInterval().toMillis(), relayKeys.get(),
                userCaKeys, features.find(deviceId).orElse(DeviceFeatures.DEFAULTS), rotation, facts.checkIntervalMillis()));
        if (state != null) {
            handshakes.leave(state.ticket());
        }
        log.info("device {} online from {}", deviceId, link.remoteAddress());
    }

    private void refuse(WsContext ctx, ErrorCode code, String message) {
        ctx.send(ControlCodec.encode(new ControlMessage.Error(code.code(), message)));
        ctx.closeSession(code.closeCode(), message);
    }

    private void closed(WsContext ctx) {
        DeviceLink link = links.remove(ctx.sessionId());
        if (link != null) {
            Admitted state = admitted.remove(link);
            if (state != null) {
                handshakes.leave(state.ticket());
            }
            welcomed.remove(link);
            registry.unregister(link);
        }
    }
}
