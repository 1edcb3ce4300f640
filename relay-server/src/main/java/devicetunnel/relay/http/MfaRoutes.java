package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.FactorChanges;
import devicetunnel.relay.auth.MfaPolicy;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.SecondFactors;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.policy.RateLimiter;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The second factor: the login's second step ({@code POST /api/v1/auth/mfa}) and the caller's own
 * TOTP factor ({@code /api/v1/account/mfa}: status, enrol, confirm, remove). API tokens cannot
 * touch factors: a script has no business changing how its owner logs in.
 */
public final class MfaRoutes {
    public static final String LOGIN_STEP = "/api/v1/auth/mfa";
    private static final Set<String> LOGIN_FIELDS = Set.of("mfaToken", "code");
    private static final Set<String> CODE_FIELDS = Set.of("code");

    private final SecondFactors factors;
    private final TokenService tokens;
    private final UserStore users;
    private final SessionIssuer issuer;
    private final MfaPolicy policy;
    private final FactorChanges changes;
    private final RateLimiter attempts;
    private final AuditLog audit;

    /** {@code attempts}: per client address, the login limiter (the per-account limit is in {@link SecondFactors}). */
    public MfaRoutes(SecondFactors factors, TokenService tokens, UserStore users, SessionIssuer issuer, MfaPolicy policy,
                     FactorChanges changes, RateLimiter attempts, AuditLog audit) {
        this.factors = factors;
        this.tokens = tokens;
        this.users = users;
        this.issuer = issuer;
        this.policy = policy;
        this.changes = changes;
        this.attempts = attempts;
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        routes.post(LOGIN_STEP, this::loginStep);
        routes.get("/api/v1/account/mfa", this::status);
        routes.post("/api/v1/account/mfa/totp", this::begin);
        routes.post("/api/v1/account/mfa/totp/confirm", this::confirm);
        routes.delete("/api/v1/account/mfa/totp", this::remove);
    }

    private void loginStep(Context ctx) {
        attempts.acquire(ctx.ip(), () -> audit.record("login.rate_limited", null, null, null, ctx.ip(), "second factor"));
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 4096), LOGIN_FIELDS);
        User user = pendingUser(tokens, users, body.text("mfaToken", 4096));
        factors.verify(user.username(), body.text("code", 64), ctx.ip());
        audit.record("login.ok", user.username(), null, null, ctx.ip(), "with second factor");
        issuer.loggedIn(ctx, user, true);
    }

    private void status(Context ctx) {
        Operator op = loggedIn(ctx);
        SecondFactors.Status status = factors.status(op.username());
        ctx.json(Map.of("totp", status.enrolled(), "recoveryCodesLeft", status.recoveryCodesLeft(),
                "required", policy.requires(op.role())));
    }

    /** With a passkey already registered, as for adding another passkey: a recent factor first. */
    private void begin(Context ctx) {
        Operator op = loggedIn(ctx);
        changes.requireRecentIfEnrolled(op);
        SecondFactors.Enrolment enrolment = factors.begin(op.username(), ctx.ip());
        ctx.json(Map.of("secret", enrolment.secret(), "uri", enrolment.uri()));
    }

    /** The first code confirms the factor; the answer carries the recovery codes (shown once) and a login that counts as MFA. */
    private void confirm(Context ctx) {
        Operator op = loggedIn(ctx);
        changes.requireRecentIfEnrolled(op); // the answer is a fresh two-factor login: no way round step-up
        String code = new JsonFields(Json.readObject(ctx.body(), 1024), CODE_FIELDS).text("code", 64);
        List<String> codes = factors.confirm(op.username(), code, ctx.ip());
        User user = users.account(op.username());
        issuer.loggedIn(ctx, user, true, Map.of("recoveryCodes", codes));
    }

    /** Removing needs a current code (or a recovery code), and is refused where the role requires a factor. */
    private void remove(Context ctx) {
        Operator op = loggedIn(ctx);
        if (policy.requires(op.role())) {
            throw new TunnelException(ErrorCode.CONFLICT, "Your role requires a second factor; an admin can reset it "
                    + "(relay-server user reset-mfa) if the authenticator is lost.");
        }
        String code = new JsonFields(Json.readObject(ctx.body(), 1024), CODE_FIELDS).text("code", 64);
        factors.verify(op.username(), code, ctx.ip());
        if (!factors.remove(op.username(), op.username(), ctx.ip())) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "No authenticator is set up.");
        }
        ctx.status(204);
    }

    /** The user a login's first step named ({@code mfaToken}), if it still stands. */
    static User pendingUser(TokenService tokens, UserStore users, String mfaToken) {
        TokenService.Verified pending = tokens.verifyMfaPending(mfaToken);
        return users.find(pending.username())
                .filter(u -> u.tokenVersion() == pending.version()) // logged out or password changed meanwhile
                .orElseThrow(() -> new TunnelException(ErrorCode.UNAUTHORIZED, "Sign in again."));
    }

    /** The caller of a call on their own factors (TOTP or passkeys): a login, not an API token. */
    static Operator loggedIn(Context ctx) {
        Operator op = OperatorAuth.current(ctx);
        if (op.viaApiToken()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "API tokens cannot manage second factors.");
        }
        return op;
    }
}
