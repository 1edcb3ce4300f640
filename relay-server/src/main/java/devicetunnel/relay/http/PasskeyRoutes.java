package devicetunnel.relay.http;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Ceremonies.Purpose;
import devicetunnel.relay.auth.FactorChanges;
import devicetunnel.relay.auth.MfaPolicy;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.Passkeys;
import devicetunnel.relay.auth.RelyingParty;
import devicetunnel.relay.auth.SecondFactors;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.policy.RateLimiter;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.PasskeyStore.Passkey;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Passkeys (WebAuthn): the caller's own ({@code /api/v1/account/mfa/passkeys}: list, register,
 * remove), a login's second step with one ({@code /api/v1/auth/mfa/passkey}) and a passwordless
 * login ({@code /api/v1/auth/passkey}). Each ceremony is two calls: {@code .../options} gives the
 * browser what to ask the authenticator, the next call brings its answer back.
 */
public final class PasskeyRoutes {
    private static final String PASSWORDLESS = "/api/v1/auth/passkey";
    private static final String SECOND_STEP = "/api/v1/auth/mfa/passkey";
    private static final Set<String> PUBLIC = Set.of(PASSWORDLESS, PASSWORDLESS + "/options", SECOND_STEP, SECOND_STEP + "/options");
    /** A registration answer carries the attestation object: a few KiB. */
    private static final int MAX_BODY = 64 * 1024;

    private final Passkeys passkeys;
    private final SecondFactors totp;
    private final RelyingParty rp;
    private final TokenService tokens;
    private final UserStore users;
    private final SessionIssuer issuer;
    private final MfaPolicy policy;
    private final FactorChanges changes;
    private final RateLimiter attempts;
    private final AuditLog audit;

    /** {@code attempts}: per client address, the login limiter. */
    public PasskeyRoutes(Passkeys passkeys, SecondFactors totp, RelyingParty rp, TokenService tokens, UserStore users,
                         SessionIssuer issuer, MfaPolicy policy, FactorChanges changes, RateLimiter attempts, AuditLog audit) {
        this.passkeys = passkeys;
        this.totp = totp;
        this.rp = rp;
        this.tokens = tokens;
        this.users = users;
        this.issuer = issuer;
        this.policy = policy;
        this.changes = changes;
        this.attempts = attempts;
        this.audit = audit;
    }

    /** The routes reached before any login (the relay authenticates every other {@code /api} path). */
    public static boolean isPublic(String path) {
        return PUBLIC.contains(path);
    }

    public void install(RoutesConfig routes) {
        routes.get("/api/v1/account/mfa/passkeys", this::list);
        routes.post("/api/v1/account/mfa/passkeys/options", this::registrationOptions);
        routes.post("/api/v1/account/mfa/passkeys", this::register);
        routes.delete("/api/v1/account/mfa/passkeys/{id}", this::remove);
        routes.post(SECOND_STEP + "/options", this::secondStepOptions);
        routes.post(SECOND_STEP, this::secondStep);
        routes.post(PASSWORDLESS + "/options", this::passwordlessOptions);
        routes.post(PASSWORDLESS, this::passwordless);
    }

    /** The RP ID and accepted origins for this request (the relay's own host name by default). */
    static RelyingParty.Request relyingParty(RelyingParty rp, Context ctx) {
        return rp.forHost(ctx.header("Host"));
    }

    /** The authenticator's answer, as the JSON text webauthn4j reads. */
    static String credential(JsonNode body) {
        JsonNode credential = body.get("credential");
        if (credential == null || !credential.isObject()) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'credential' must be the authenticator's answer (an object).");
        }
        return credential.toString();
    }

    private void list(Context ctx) {
        Operator op = MfaRoutes.loggedIn(ctx);
        ctx.json(passkeys.list(op.username()).stream().map(PasskeyRoutes::view).toList());
    }

    private void registrationOptions(Context ctx) {
        Operator op = MfaRoutes.loggedIn(ctx);
        changes.requireRecentIfEnrolled(op);
        ctx.json(passkeys.creationOptions(op.username(), relyingParty(rp, ctx)));
    }

    /** The first factor of an account makes this login a two-factor one, as a TOTP confirmation does. */
    private void register(Context ctx) {
        Operator op = MfaRoutes.loggedIn(ctx);
        boolean first = !changes.hasFactor(op.username());
        changes.requireRecentIfEnrolled(op);
        JsonNode body = Json.readObject(ctx.body(), MAX_BODY);
        JsonFields fields = new JsonFields(body, Set.of("ceremonyId", "name", "credential"));
        String name = fields.text("name", 64).strip();
        Passkey key = passkeys.register(op.username(), fields.text("ceremonyId", 64), name, credential(body),
                relyingParty(rp, ctx), ctx.ip());
        ctx.status(201);
        if (!first) {
            ctx.json(view(key));
            return;
        }
        User user = users.account(op.username());
        issuer.loggedIn(ctx, user, true, Map.of("passkey", view(key)));
    }

    private void remove(Context ctx) {
        Operator op = MfaRoutes.loggedIn(ctx);
        changes.requireRecentIfEnrolled(op);
        String id = ctx.pathParam("id");
        if (policy.requires(op.role()) && !totp.enrolled(op.username()) && passkeys.list(op.username()).size() == 1) {
            throw new TunnelException(ErrorCode.CONFLICT, "Your role requires a second factor and this is your last one: "
                    + "add another first.");
        }
        if (!passkeys.remove(op.username(), id, ctx.ip())) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "No such passkey.");
        }
        ctx.status(204);
    }

    private void secondStepOptions(Context ctx) {
        limit(ctx);
        JsonFields fields = new JsonFields(Json.readObject(ctx.body(), 8192), Set.of("mfaToken"));
        User user = MfaRoutes.pendingUser(tokens, users, fields.text("mfaToken", 4096));
        ctx.json(passkeys.requestOptions(Purpose.SECOND_FACTOR, user.username(), relyingParty(rp, ctx)));
    }

    /** Answers are not limited: each needs a fresh single-use challenge, whose options call is. */
    private void secondStep(Context ctx) {
        JsonNode body = Json.readObject(ctx.body(), MAX_BODY);
        JsonFields fields = new JsonFields(body, Set.of("mfaToken", "ceremonyId", "credential"));
        User user = MfaRoutes.pendingUser(tokens, users, fields.text("mfaToken", 4096));
        passkeys.verify(Purpose.SECOND_FACTOR, fields.text("ceremonyId", 64), credential(body), user.username(),
                relyingParty(rp, ctx), ctx.ip());
        audit.record("login.ok", user.username(), null, null, ctx.ip(), "with second factor (passkey)");
        issuer.loggedIn(ctx, user, true);
    }

    private void passwordlessOptions(Context ctx) {
        limit(ctx);
        ctx.json(passkeys.requestOptions(Purpose.LOGIN, null, relyingParty(rp, ctx)));
    }

    /** The key verified its user (PIN or biometric): possession and knowledge, so it counts as two factors. */
    private void passwordless(Context ctx) {
        JsonNode body = Json.readObject(ctx.body(), MAX_BODY);
        JsonFields fields = new JsonFields(body, Set.of("ceremonyId", "credential"));
        Passkeys.Verified verified = passkeys.verify(Purpose.LOGIN, fields.text("ceremonyId", 64), credential(body), null,
                relyingParty(rp, ctx), ctx.ip());
        User user = users.find(verified.username())
                .orElseThrow(() -> new TunnelException(ErrorCode.UNAUTHORIZED, "The passkey was not accepted."));
        audit.record("login.ok", user.username(), null, null, ctx.ip(), "passwordless (passkey)");
        issuer.loggedIn(ctx, user, true);
    }

    /** Per client address, on the calls that start a ceremony (each stores a challenge). */
    private void limit(Context ctx) {
        attempts.acquire(ctx.ip(), () -> audit.record("login.rate_limited", null, null, null, ctx.ip(), "passkey"));
    }

    private static Map<String, Object> view(Passkey key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", key.id());
        view.put("name", key.name());
        view.put("createdAt", key.createdAt());
        view.put("lastUsedAt", key.lastUsedAt());
        return view;
    }
}
