package devicetunnel.relay.http;

import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.store.DeviceStore;
import io.javalin.config.RoutesConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/devices} and {@code GET /api/v1/devices/{id}}. */
public final class DeviceRoutes {
    private final DeviceStore devices;
    private final DeviceRegistry registry;
    private final DeviceAccess access;
    private final DeviceFeatureStore features;

    /**
     * The public shape of a device. {@code hostKey} is its pinned SSH host key (OpenSSH line, null
     * until first contact), so operators' own SSH clients can pin it too.
     */
    public record DeviceView(String id, String name, boolean online, Instant lastSeen, Map<String, String> labels,
                             String status, String hostKey, DeviceFeatures features) {}

    public DeviceRoutes(DeviceStore devices, DeviceRegistry registry, DeviceAccess access, DeviceFeatureStore features) {
        this.devices = devices;
        this.registry = registry;
        this.access = access;
        this.features = features;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/devices", ctx -> {
            Operator op = OperatorAuth.current(ctx);
            List<DeviceView> views = devices.list().stream()
                    .filter(d -> d.status() != Device.Status.REVOKED || op.isAdmin())
                    .filter(d -> access.mayView(op, d))
                    .map(this::view)
                    .toList();
            ctx.json(views);
        });
        routes.get("/api/v1/devices/{id}", ctx ->
                ctx.json(view(access.visible(OperatorAuth.current(ctx), ctx.pathParam("id")))));
    }

    private DeviceView view(Device d) {
        boolean online = registry.isOnline(d.id());
        return new DeviceView(d.id(), d.name(), online, online ? Instant.now() : d.lastSeen(), d.labels(),
                d.status().name().toLowerCase(java.util.Locale.ROOT), d.hostKey(),
                features.find(d.id()).orElse(DeviceFeatures.DEFAULTS));
    }
}
