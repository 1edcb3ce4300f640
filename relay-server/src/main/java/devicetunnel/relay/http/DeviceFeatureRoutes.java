package devicetunnel.relay.http;

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
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code PATCH /api/v1/devices/{id}/features} with any of {@code {"sftp","exec","forwarding"}} (booleans):
 * an admin switches what the device's SSH server offers. An online agent gets the change at once.
 */
public final class DeviceFeatureRoutes {
    private final DeviceAccess access;
    private final DeviceFeatureStore features;
    private final DeviceRegistry registry;
    private final AuditLog audit;

    public DeviceFeatureRoutes(DeviceAccess access, DeviceFeatureStore features, DeviceRegistry registry, AuditLog audit) {
        this.access = access;
        this.features = features;
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
                flag(body, "forwarding", current.forwarding()));
        features.set(device.id(), updated);
        registry.link(device.id()).ifPresent(link -> link.send(new ControlMessage.Features(updated)));
        audit.record("device.features", admin.username(), device.id(), null, ctx.ip(), updated.toString());
        ctx.json(updated);
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
