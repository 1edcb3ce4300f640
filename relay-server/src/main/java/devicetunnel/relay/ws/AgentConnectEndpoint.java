package devicetunnel.relay.ws;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.SecretTokens;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /agent/v1/connect}: a device's control link. The device credential is checked before the
 * upgrade; the device counts as online once it has said hello and been welcomed.
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
    private final DeviceFeatureStore features;
    private final Map<String, DeviceLink> links = new ConcurrentHashMap<>();

    public AgentConnectEndpoint(DeviceStore devices, DeviceRegistry registry, StreamBroker broker, AuditLog audit,
                                Supplier<List<String>> relayKeys, List<String> userCaKeys, DeviceFeatureStore features) {
        this.devices = devices;
        this.registry = registry;
        this.broker = broker;
        this.audit = audit;
        this.relayKeys = relayKeys;
        this.userCaKeys = userCaKeys;
        this.features = features;
    }

    public void install(RoutesConfig routes) {
        routes.wsBeforeUpgrade(Protocol.CONNECT_PATH, this::authenticate);
        routes.ws(Protocol.CONNECT_PATH, this::configure);
    }

    private void authenticate(Context ctx) {
        String deviceId = ctx.header(Protocol.DEVICE_ID_HEADER);
        String token = Credentials.bearer(ctx.header("Authorization"));
        Device device = Protocol.isValidDeviceId(deviceId) ? devices.find(deviceId).orElse(null) : null;
        if (device == null || token == null || !SecretTokens.matches(token, device.tokenHash())) {
            audit.record("device.auth.failed", null, Protocol.isValidDeviceId(deviceId) ? deviceId : null, null, ctx.ip(),
                    device == null ? "unknown device" : "wrong device credential");
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Device credential refused.");
        }
        if (device.status() != Device.Status.ACCEPTED) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "Device is " + device.status().name().toLowerCase(java.util.Locale.ROOT) + ".");
        }
        ctx.attribute(DEVICE_ATTRIBUTE, deviceId);
    }

    private void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            String deviceId = ctx.attribute(DEVICE_ATTRIBUTE);
            links.put(ctx.sessionId(), new DeviceLink(deviceId, ctx.session, String.valueOf(ctx.session.getRemoteSocketAddress())));
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
        if (hello.hostKey() != null && !hello.hostKey().isBlank()) {
            if (devices.pinHostKeyIfAbsent(deviceId, hello.hostKey().strip())) {
                audit.record("device.hostkey.pinned", null, deviceId, null, link.remoteAddress(), null);
            } else {
                String onRecord = devices.find(deviceId).map(Device::hostKey).orElse(null);
                if (onRecord != null && !sameKey(onRecord, hello.hostKey())) {
                    audit.record("device.hostkey.changed", null, deviceId, null, link.remoteAddress(),
                            "agent presented a host key different from the one on record; sessions will be refused");
                }
            }
        }
        registry.register(link);
        link.send(new ControlMessage.Welcome(Protocol.VERSION, registry.pingInterval().toMillis(), relayKeys.get(),
                userCaKeys, features.find(deviceId).orElse(DeviceFeatures.DEFAULTS)));
        log.info("device {} online from {}", deviceId, link.remoteAddress());
    }

    /** Compares the key type and base64 fields, ignoring comments. */
    private static boolean sameKey(String a, String b) {
        String[] x = a.trim().split("\\s+");
        String[] y = b.trim().split("\\s+");
        return x.length >= 2 && y.length >= 2 && x[0].equals(y[0]) && x[1].equals(y[1]);
    }

    private void refuse(WsContext ctx, ErrorCode code, String message) {
        ctx.send(ControlCodec.encode(new ControlMessage.Error(code.code(), message)));
        ctx.closeSession(code.closeCode(), message);
    }

    private void closed(WsContext ctx) {
        DeviceLink link = links.remove(ctx.sessionId());
        if (link != null) {
            registry.unregister(link);
        }
    }
}
