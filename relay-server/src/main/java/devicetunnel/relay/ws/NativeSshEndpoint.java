package devicetunnel.relay.ws;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.recording.NativeSshRecording;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.relay.policy.NativeStreams;
import devicetunnel.relay.policy.SessionGate;
import devicetunnel.relay.link.Presence;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.store.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /api/v1/devices/{id}/ssh}: the native path. The operator's own SSH client (OpenSSH via
 * {@code devtunnel proxy}) talks to the device's SSH server end to end; the relay pairs the two
 * websockets and sees ciphertext only. Everything the relay decides (who, which device, online)
 * is decided before the upgrade, so the CLI gets a plain HTTP status for a refusal.
 */
public final class NativeSshEndpoint implements NativeStreams {
    public static final String PATH = "/api/v1/devices/{id}/ssh";
    private static final String DEVICE_ATTRIBUTE = "nativeDeviceId";
    private static final String RECORDING_ATTRIBUTE = "nativeRecordingNote";

    private final SessionGate gate;
    private final DeviceAccess access;
    private final Presence presence;
    private final StreamBroker broker;
    private final AuditLog audit;
    private final WsKeepalive keepalive;
    private final Duration openTimeout;
    private final devicetunnel.relay.metrics.RelayMetrics metrics;
    private final NativeSshRecording recording;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();

    private record Stream(OperatorStreamPeer peer, org.eclipse.jetty.websocket.api.Session session, String operator,
                          String deviceId, String ip, Instant startedAt, long tokenVersion, String apiTokenId) {}

    public NativeSshEndpoint(SessionGate gate, DeviceAccess access, Presence presence, StreamBroker broker,
                             AuditLog audit, WsKeepalive keepalive, Duration openTimeout,
                             devicetunnel.relay.metrics.RelayMetrics metrics, NativeSshRecording recording) {
        this.metrics = metrics;
        this.recording = recording;
        this.gate = gate;
        this.access = access;
        this.presence = presence;
        this.broker = broker;
        this.audit = audit;
        this.keepalive = keepalive;
        this.openTimeout = openTimeout;
    }

    /** Native SSH streams open (or opening) on this relay. */
    public int openCount() {
        return streams.size();
    }

    public void install(RoutesConfig routes) {
        routes.wsBeforeUpgrade(PATH, this::beforeUpgrade);
        routes.ws(PATH, this::configure);
    }

    private void beforeUpgrade(Context ctx) {
        Operator operator = gate.beforeUpgrade(ctx, true);
        String deviceId = ctx.pathParam("id");
        try {
            access.forNewSession(operator, deviceId);
            String note = recording.auditNote(deviceId); // refuses a device that requires recording
            if (note != null) {
                ctx.attribute(RECORDING_ATTRIBUTE, note);
            }
            if (!presence.isOnline(deviceId)) {
                throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "The device is offline.");
            }
        } catch (TunnelException e) {
            audit.record("ssh.refused", operator.username(), deviceId, null, ctx.ip(), e.code().code() + ": " + e.getMessage());
            throw e;
        }
        ctx.attribute(DEVICE_ATTRIBUTE, deviceId);
        if (Credentials.offeredSubprotocols(ctx).contains(Credentials.SUBPROTOCOL)) {
            ctx.header("Sec-WebSocket-Protocol", Credentials.SUBPROTOCOL);
        }
    }

    private void configure(WsConfig ws) {
        ws.onConnect(this::open);
        ws.onBinaryMessage(ctx -> {
            Stream stream = streams.get(ctx.sessionId());
            if (stream == null) {
                return;
            }
            try {
                stream.peer().fromOperator(ctx.data());
            } catch (TunnelException e) {
                ctx.closeSession(e.code().closeCode(), e.getMessage());
            }
        });
        ws.onMessage(ctx -> ctx.closeSession(ErrorCode.BAD_REQUEST.closeCode(), "binary frames only"));
        ws.onClose(this::closed);
        ws.onError(this::closed);
    }

    private void open(WsConnectContext ctx) {
        Operator operator = ctx.attribute(OperatorAuth.ATTRIBUTE);
        String deviceId = ctx.attribute(DEVICE_ATTRIBUTE);
        String ip = String.valueOf(ctx.session.getRemoteSocketAddress());
        try {
            gate.acquire(operator.username(), deviceId); // released in closed()
        } catch (TunnelException e) {
            audit.record("ssh.refused", operator.username(), deviceId, null, ip, e.code().code() + ": " + e.getMessage());
            ctx.closeSession(e.code().closeCode(), e.getMessage());
            return;
        }
        OperatorStreamPeer peer = new OperatorStreamPeer(ctx.session);
        streams.put(ctx.sessionId(), new Stream(peer, ctx.session, operator.username(), deviceId, ip, Instant.now(),
                operator.tokenVersion(), operator.apiTokenId()));
        keepalive.watch(ctx.session);
        audit.record("ssh.open", operator.username(), deviceId, ctx.sessionId(), ip, ctx.attribute(RECORDING_ATTRIBUTE));
        long asked = System.nanoTime();
        try {
            broker.open(deviceId, peer, openTimeout).whenComplete((ok, error) -> {
                if (error != null) {
                    refuse(ctx, error);
                } else {
                    metrics.sessionReady(devicetunnel.relay.metrics.RelayMetrics.NATIVE, System.nanoTime() - asked);
                }
            });
        } catch (TunnelException e) {
            refuse(ctx, e);
        }
    }

    private void refuse(WsContext ctx, Throwable error) {
        TunnelException e = error instanceof TunnelException te ? te
                : error.getCause() instanceof TunnelException te2 ? te2
                : new TunnelException(ErrorCode.DEVICE_UNREACHABLE, null);
        if (ctx.session.isOpen()) {
            ctx.closeSession(e.code().closeCode(), e.getMessage());
        }
    }

    private void closed(WsContext ctx) {
        keepalive.forget(ctx.session);
        Stream stream = streams.remove(ctx.sessionId());
        if (stream != null) {
            gate.release(stream.operator(), stream.deviceId());
            stream.peer().closeBoth();
            audit.record("ssh.close", stream.operator(), stream.deviceId(), ctx.sessionId(), stream.ip(),
                    "bytesToDevice=" + stream.peer().bytesToDevice() + " bytesFromDevice=" + stream.peer().bytesFromDevice()
                            + " seconds=" + Duration.between(stream.startedAt(), Instant.now()).toSeconds());
        }
    }

    @Override
    public void closeMatching(Predicate<Holder> holder, ErrorCode code, String reason) {
        for (Stream stream : streams.values()) {
            if (holder.test(new Holder(stream.operator(), stream.deviceId(), stream.tokenVersion(), stream.apiTokenId()))) {
                stream.session().close(code.closeCode(), reason, org.eclipse.jetty.websocket.api.Callback.NOOP);
                stream.peer().closeBoth();
            }
        }
    }
}
