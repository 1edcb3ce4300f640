package devicetunnel.relay.http;

import devicetunnel.relay.policy.RateLimiter;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.EnrollmentStore;
import devicetunnel.relay.store.EnrollmentToken;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Admins create, list and revoke enrollment tokens ({@code /api/v1/enrollments}); agents enroll
 * with one ({@code POST /agent/v1/enroll}, rate-limited like logins since it takes a secret).
 */
public final class EnrollmentRoutes {
    private static final Set<String> CREATE_FIELDS = Set.of("reusable", "autoAccept", "expiresInSeconds", "labels");
    private static final Set<String> ENROLL_FIELDS = Set.of("deviceId", "hostKey");

    private final Enrollments enrollments;
    private final EnrollmentStore store;
    private final RateLimiter attempts;
    private final Supplier<List<String>> relayKeys;
    private final List<String> userCaKeys;

    public EnrollmentRoutes(Enrollments enrollments, EnrollmentStore store, RateLimiter attempts,
                            Supplier<List<String>> relayKeys, List<String> userCaKeys) {
        this.enrollments = enrollments;
        this.store = store;
        this.attempts = attempts;
        this.relayKeys = relayKeys;
        this.userCaKeys = userCaKeys;
    }

    public void install(RoutesConfig routes) {
        routes.post("/api/v1/enrollments", this::create);
        routes.get("/api/v1/enrollments", ctx -> {
            OperatorAuth.requireAdmin(ctx);
            ctx.json(store.list().stream().map(EnrollmentRoutes::view).toList());
        });
        routes.delete("/api/v1/enrollments/{id}", ctx -> {
            OperatorAuth.requireAdmin(ctx);
            String id = ctx.pathParam("id");
            if (id.length() > 36 || !enrollments.revokeToken(id, OperatorAuth.current(ctx).username())) {
                throw new TunnelException(ErrorCode.NOT_FOUND, "No such enrollment token.");
            }
            ctx.status(204);
        });
        routes.post(Protocol.ENROLL_PATH, this::enroll);
    }

    private void create(Context ctx) {
        OperatorAuth.requireAdmin(ctx);
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 4096), CREATE_FIELDS);
        Enrollments.Request request = new Enrollments.Request(
                body.bool("reusable", false),
                body.bool("autoAccept", false),
                Duration.ofSeconds(body.integer("expiresInSeconds", 3600, 1, Enrollments.MAX_VALIDITY.toSeconds())),
                body.labels("labels"));
        Enrollments.Created created = enrollments.create(OperatorAuth.current(ctx).username(), request);
        Map<String, Object> view = view(created.token());
        view.put("token", created.secret());
        ctx.status(201).json(view);
    }

    private void enroll(Context ctx) {
        attempts.acquire(ctx.ip());
        String secret = Credentials.bearer(ctx.header("Authorization"));
        if (secret == null) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Present the enrollment token as a Bearer credential.");
        }
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 4096), ENROLL_FIELDS);
        Device device = enrollments.enroll(secret, body.text("deviceId", 63), body.text("hostKey", 1024), ctx.ip());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deviceId", device.id());
        answer.put("status", Enrollments.status(device));
        answer.put("relayKeys", relayKeys.get());
        answer.put("userCaKeys", userCaKeys); // the agent pins both (see TrustRotation)
        ctx.json(answer);
    }

    private static Map<String, Object> view(EnrollmentToken t) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", t.id());
        view.put("reusable", t.reusable());
        view.put("autoAccept", t.autoAccept());
        view.put("labels", t.labels());
        view.put("expiresAt", t.expiresAt());
        view.put("uses", t.uses());
        view.put("revoked", t.revoked());
        view.put("usable", t.usableAt(Instant.now()));
        view.put("createdBy", t.createdBy());
        view.put("createdAt", t.createdAt());
        return view;
    }
}
