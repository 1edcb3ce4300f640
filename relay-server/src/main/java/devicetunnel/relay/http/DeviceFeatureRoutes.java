package devicetunnel.relay.http;

import devicetunnel.relay.policy.DeviceAccess;
import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.recording.RecordingPolicy;
import devicetunnel.relay.recording.Recordings;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * {@code PATCH /api/v1/devices/{id}/features} with any of {@code {"sftp","exec","forwarding","webApps"}} (booleans)
 * and {@code "recording"} ({@code off}, {@code on}, {@code required}): an admin switches what the
 * device's SSH server offers (an online agent gets the change at once) and whether its browser
 * terminal sessions are recorded (from the next session on).
 */
public final class DeviceFeatureRoutes {
    private final DeviceAccess access;
    private final DeviceFeatureStore features;
    private final Recordings recordings;
    private final DeviceRegistry registry;
    private final AuditLog audit;

    public DeviceFeatureRoutes(DeviceAccess access, DeviceFeatureStore features, Recordings recordings,
                               DeviceRegistry registry, AuditLog audit) {
        this.access = access;
        this.features = features;
        this.recordings = recordings;
        this.registry = registry;
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.patch("/api/v1/devices/{id}/features", this::update);
    }

    private void update(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        Operator admin = OperatorAuth.current(ctx);
        Device device = access.visible(admin, ctx.pathParam("id"));
        JsonNode body = Json.readObject(ctx.body(), 4096);
        DeviceFeatures current = features.find(device.id()).orElse(DeviceFeatures.DEFAULTS);
        DeviceFeatures updated = new DeviceFeatures(
                flag(body, "sftp", current.sftp()),
                flag(body, "exec", current.exec()),
                flag(body, "forwarding", current.forwarding()),
                flag(body, "webApps", current.webApps()));
        RecordingPolicy recording = body.has("recording")
                ? RecordingPolicy.parse(body.get("recording").asText(null))
                : recordings.devicePolicy(device.id());
        features.set(device.id(), updated);
        recordings.setPolicy(device.id(), recording);
        registry.link(device.id()).ifPresent(link -> link.send(new ControlMessage.Features(updated)));
        audit.record("device.features", admin.username(), device.id(), null, ctx.ip(),
                updated + " recording=" + recording.wire());
        ctx.json(Map.of("sftp", updated.sftp(), "exec", updated.exec(), "forwarding", updated.forwarding(),
                "webApps", updated.webApps(), "recording", recording.wire()));
    }

    private static boolean flag(JsonNode body, String field, boolean current) {
        JsonNode value = body.get(field);
        if (value == null) {
            return current;
        }
        if (!value.isBoolean()) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'" + field + "' must be true or false.");
        }
        return value.asBoolean();
    }
}
