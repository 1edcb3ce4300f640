package devicetunnel.relay.http;

import devicetunnel.relay.policy.DeviceLifecycle;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.link.Presence;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.store.DeviceFactsStore;
import devicetunnel.protocol.DeviceFacts;
import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.recording.Recordings;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.HostKeyFingerprint;
import devicetunnel.relay.store.Labels;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /api/v1/devices[?status=pending|accepted|revoked]}, {@code GET /api/v1/devices/{id}},
 * and for admins {@code POST .../{id}/accept}, {@code POST .../{id}/revoke}, {@code DELETE .../{id}},
 * {@code PATCH .../{id}} with {@code {"labels"}} (operators' label scopes are re-checked at once);
 * {@code GET /api/v1/devices/agent-versions} (admins): devices per agent version, to see version drift.
 */
public final class DeviceRoutes {
    private final DeviceStore devices;
    private final Presence presence;
    private final DeviceAccess access;
    private final DeviceFeatureStore features;
    private final DeviceFactsStore facts;
    private final DeviceLifecycle lifecycle;
    private final AuditLog audit;
    private final Runnable accessChanged;
    private final java.util.function.Function<String, Recordings.Effective> recordingPolicy;

    /**
     * The public shape of a device. {@code hostKey} is its pinned SSH host key (OpenSSH line, null
     * until first contact), so operators' own SSH clients can pin it too; {@code hostKeyFingerprint} its
     * {@code SHA256:} fingerprint, to compare with {@code ssh-keygen -lf} on the device before accepting it;
     * {@code recording} its own recording policy ({@code off}, {@code on}, {@code required});
     * {@code recordingEffective} what its sessions get: the policy after its labels' rules (and which
     * rules raised it) and the input rules that make its recordings keep keystrokes;
     * {@code facts} what the device last reported about itself (null until it has), {@code factsAt} when.
     */
    public record DeviceView(String id, String name, boolean online, Instant lastSeen, Map<String, String> labels,
                             String status, String hostKey, String hostKeyFingerprint, DeviceFeatures features,
                             String recording, Recordings.Effective recordingEffective, JsonNode facts, Instant factsAt) {}

    /** One line of the version-drift summary: {@code agentVersion} null for devices that never reported facts. */
    public record AgentVersionCount(String agentVersion, long devices) {}

    public DeviceRoutes(DeviceStore devices, Presence presence, DeviceAccess access, DeviceLifecycle lifecycle,
                        DeviceFeatureStore features, DeviceFactsStore facts,
                        java.util.function.Function<String, Recordings.Effective> recordingPolicy, AuditLog audit,
                        Runnable accessChanged) {
        this.facts = facts;
        this.recordingPolicy = recordingPolicy;
        this.audit = audit;
        this.accessChanged = accessChanged;
        this.devices = devices;
        this.presence = presence;
        this.access = access;
        this.lifecycle = lifecycle;
        this.features = features;
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/devices", this::list);
        // Before /{id}, which would otherwise take "agent-versions" for a device id.
        routes.get("/api/v1/devices/agent-versions", ctx -> {
            OperatorAuth.requireAdmin(ctx);
            ctx.json(facts.agentVersions().stream().map(v -> new AgentVersionCount(v.agentVersion(), v.devices())).toList());
        });
        routes.get("/api/v1/devices/{id}", ctx ->
                ctx.json(view(access.visible(OperatorAuth.current(ctx), ctx.pathParam("id")))));
        routes.post("/api/v1/devices/{id}/accept", ctx -> {
            OperatorAuth.requireAdmin(ctx);
            ctx.json(view(lifecycle.accept(ctx.pathParam("id"), OperatorAuth.current(ctx).username())));
        });
        routes.post("/api/v1/devices/{id}/revoke", ctx -> {
            OperatorAuth.requireAdmin(ctx);
            ctx.json(view(lifecycle.revoke(ctx.pathParam("id"), OperatorAuth.current(ctx).username())));
        });
        routes.delete("/api/v1/devices/{id}", ctx -> {
            OperatorAuth.requireAdmin(ctx);
            if (!lifecycle.remove(ctx.pathParam("id"), OperatorAuth.current(ctx).username())) {
                throw new TunnelException(ErrorCode.NOT_FOUND, "No such device.");
            }
            ctx.status(204);
        });
        routes.patch("/api/v1/devices/{id}", this::relabel);
    }

    private void relabel(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        Operator admin = OperatorAuth.current(ctx);
        Device device = access.visible(admin, ctx.pathParam("id"));
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 8192), java.util.Set.of("labels"));
        if (!body.has("labels")) {
            throw JsonFields.bad("'labels' is required: an object such as {\"site\": \"lab\"}.");
        }
        Map<String, String> labels = body.labels("labels");
        if (!devices.setLabels(device.id(), labels)) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "No such device.");
        }
        audit.record("device.labels", admin.username(), device.id(), null, ctx.ip(), "labels=" + Labels.format(labels));
        accessChanged.run(); // operators whose label scope no longer covers the device lose its sessions
        ctx.json(view(devices.find(device.id()).orElseThrow()));
    }

    private void list(Context ctx) {
        Operator op = OperatorAuth.current(ctx);
        Device.Status status = status(ctx.queryParam("status"));
        List<Device> candidates = status == null ? devices.list() : devices.list(status);
        java.util.function.Predicate<String> online = presence.snapshot();
        Map<String, DeviceFactsStore.Stored> allFacts = facts.all();
        ctx.json(candidates.stream()
                .filter(d -> d.status() != Device.Status.REVOKED || op.isAdmin())
                .filter(d -> access.mayView(op, d))
                .map(d -> view(d, online, allFacts.get(d.id())))
                .toList());
    }

    private static Device.Status status(String value) {
        if (value == null) {
            return null;
        }
        for (Device.Status s : Device.Status.values()) {
            if (s.name().toLowerCase(Locale.ROOT).equals(value)) {
                return s;
            }
        }
        throw new TunnelException(ErrorCode.BAD_REQUEST, "'status' must be pending, accepted or revoked.");
    }

    private DeviceView view(Device d) {
        return view(d, presence::isOnline, facts.find(d.id()).orElse(null));
    }

    private DeviceView view(Device d, java.util.function.Predicate<String> isOnline, DeviceFactsStore.Stored reported) {
        boolean online = isOnline.test(d.id());
        Recordings.Effective recording = recordingPolicy.apply(d.id());
        return new DeviceView(d.id(), d.name(), online, online ? Instant.now() : d.lastSeen(), d.labels(),
                Enrollments.status(d), d.hostKey(), HostKeyFingerprint.of(d.hostKey()), features.find(d.id()).orElse(DeviceFeatures.DEFAULTS), recording.device(), recording,
                reported == null ? null : Json.readObject(reported.json(), DeviceFacts.MAX_JSON_CHARS * 2),
                reported == null ? null : reported.at());
    }
}
