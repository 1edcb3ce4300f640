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
import devicetunnel.relay.link.DeviceRegistry;
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
 * {@code /agent/v1/connect}: a device's control link. Before the upgrade the device proves possession
 * of the host key pinned at enrollment (401 otherwise) and must be accepted (403 while pending or
 * revoked). It counts as online once it has said hello and been welcomed; a link that does not say
 * hello within the auth timeout is closed.
 */
public final class AgentConnectEndpoint {
    private static final Logger log = LoggerFactory.getLogger(AgentConnectEndpoint.class);
    private static final String DEVICE_ATTRIBUTE = "deviceId";

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
    private final Map<String, DeviceLink> links = new ConcurrentHashMap<>();
    private final Set<DeviceLink> welcomed = ConcurrentHashMap.newKeySet();

    public AgentConnectEndpoint(DeviceStore devices, DeviceRegistry registry, StreamBroker broker, AuditLog audit,
                                Supplier<List<String>> relayKeys, List<String> userCaKeys, TrustRotation rotation,
                                DeviceFeatureStore features,
                                DeviceProofs proofs, ScheduledExecutorService scheduler, Duration helloTimeout) {
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
        String deviceId = ctx.header(Protocol.DEVICE_ID_HEADER);
        boolean validId = Protocol.isValidDeviceId(deviceId);
        Device device = validId ? devices.find(deviceId).orElse(null) : null;
        try {
            if (device == null || device.hostKey() == null) {
                throw new TunnelException(ErrorCode.UNAUTHORIZED, "unknown device");
            }
            proofs.verify(deviceId, Credentials.bearer(ctx.header("Authorization")), device.hostKey());
        } catch (TunnelException e) {
            // The reason goes to the audit log only: the device learns no more than "refused".
            audit.record("device.auth.failed", null, validId ? deviceId : null, null, ctx.ip(), e.getMessage());
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Device credential refused.");
        }
        if (device.status() != Device.Status.ACCEPTED) {
            audit.record("device.connect.refused", null, deviceId, null, ctx.ip(), "device is " + Enrollments.status(device));
            throw new TunnelException(ErrorCode.FORBIDDEN, "Device is " + Enrollments.status(device) + ".");
        }
        ctx.attribute(DEVICE_ATTRIBUTE, deviceId);
    }

    private void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            String deviceId = ctx.attribute(DEVICE_ATTRIBUTE);
            DeviceLink link = new DeviceLink(deviceId, ctx.session, String.valueOf(ctx.session.getRemoteSocketAddress()));
            links.put(ctx.sessionId(), link);
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
            hello(link, hello);
        } else if (message instanceof ControlMessage.Pong) {
            // heard() above is all a pong is for
        } else if (message instanceof ControlMessage.Ping ping) {
            link.send(new ControlMessage.Pong(ping.sentAtMillis()));
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

    private void hello(DeviceLink link, ControlMessage.Hello hello) {
        if (hello.protocolVersion() != Protocol.VERSION) {
            link.send(new ControlMessage.Error(ErrorCode.BAD_REQUEST.code(),
                    "protocol version " + hello.protocolVersion() + " unsupported; relay speaks " + Protocol.VERSION));
            link.close(ErrorCode.BAD_REQUEST.closeCode(), "unsupported protocol version");
            return;
        }
        String deviceId = link.deviceId();
        String onRecord = devices.find(deviceId).map(Device::hostKey).orElse(null);
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
                userCaKeys, features.find(deviceId).orElse(DeviceFeatures.DEFAULTS), rotation));
        log.info("device {} online from {}", deviceId, link.remoteAddress());
    }

    private void refuse(WsContext ctx, ErrorCode code, String message) {
        ctx.send(ControlCodec.encode(new ControlMessage.Error(code.code(), message)));
        ctx.closeSession(code.closeCode(), message);
    }

    private void closed(WsContext ctx) {
        DeviceLink link = links.remove(ctx.sessionId());
        if (link != null) {
            welcomed.remove(link);
            registry.unregister(link);
        }
    }
}
