package devicetunnel.relay.webapp;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.relay.link.Presence;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.DeviceFeatureStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/devices/{id}/web-apps} {@code {"port", "path"?}}: opens one of the device's
 * loopback HTTP services as a web app for the caller and answers its one-time launch URL, which the
 * console opens in a new window. Needs the right to open sessions on the device and its web-apps switch.
 */
public final class WebAppRoutes {
    private static final int MAX_PATH_CHARS = 2048;

    private final DeviceAccess access;
    private final DeviceFeatureStore features;
    private final Presence presence;
    private final WebAppGrants grants;
    private final Supplier<WebAppUrls> urls;
    private final AuditLog audit;

    /** {@code urls} null: this relay serves no web apps. */
    public WebAppRoutes(DeviceAccess access, DeviceFeatureStore features, Presence presence, WebAppGrants grants,
                        Supplier<WebAppUrls> urls, AuditLog audit) {
        this.access = access;
        this.features = features;
        this.presence = presence;
        this.grants = grants;
        this.urls = urls;
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.post("/api/v1/devices/{id}/web-apps", this::open);
    }

    private void open(Context ctx) {
        Operator operator = OperatorAuth.current(ctx);
        Device device = access.forSession(operator, ctx.pathParam("id"));
        JsonNode body = Json.readObject(ctx.body(), 4096);
        int port = port(body.get("port"));
        String path = path(body.get("path"));
        if (urls == null) {
            throw new TunnelException(ErrorCode.FORBIDDEN,
                    "This relay serves no web apps (its admin starts it with --web-apps-listen).");
        }
        if (!features.find(device.id()).map(f -> f.webApps()).orElse(false)) {
            audit.record("webapp.refused", operator.username(), device.id(), null, ctx.ip(), "port=" + port + " switched off");
            throw new TunnelException(ErrorCode.FORBIDDEN, "Web apps are switched off for this device.");
        }
        if (!presence.isOnline(device.id())) {
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "The device is offline.");
        }
        WebAppGrant grant = grants.open(operator.username(), operator.tokenVersion(), device.id(), port, path,
                operator.expiresAt());
        audit.record("webapp.open", operator.username(), device.id(), null, ctx.ip(), "port=" + port + " app=" + grant.id());
        String origin = urls.get().origin(grant.id());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("appId", grant.id());
        answer.put("deviceId", device.id());
        answer.put("port", port);
        answer.put("origin", origin);
        answer.put("url", origin + WebAppProxyServlet.LAUNCH_PATH + "?ticket="
                + URLEncoder.encode(grant.ticket(), StandardCharsets.UTF_8));
        answer.put("expiresAt", grant.expiresAt().toString());
        ctx.status(201).json(answer);
    }

    private static int port(JsonNode value) {
        if (value == null || !value.isInt() || value.asInt() < 1 || value.asInt() > 65_535) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'port' must be a number from 1 to 65535.");
        }
        return value.asInt();
    }

    private static String path(JsonNode value) {
        if (value == null || value.isNull()) {
            return "/";
        }
        String path = value.asText("");
        if (!value.isTextual() || !path.startsWith("/") || path.startsWith("//") || path.length() > MAX_PATH_CHARS
                || path.chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '\\')) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'path' must start with a single / and hold no spaces.");
        }
        return path;
    }
}
