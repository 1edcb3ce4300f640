package devicetunnel.relay.http;

import devicetunnel.relay.policy.AccessChanges;
import devicetunnel.relay.policy.Throttle;
import devicetunnel.relay.policy.RateLimiter;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.HashingGate;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.PasswordHasher;
import devicetunnel.relay.auth.SecondFactors;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.auth.oidc.SsoAccounts;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.LogSafe;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Login, logout and "who am I". An account with a second factor logs in in two steps: the password
 * earns a short-lived pending token ({@code {"mfaRequired":true,"mfaToken",...}}, no cookie), which
 * {@code POST /api/v1/auth/mfa} ({@link MfaRoutes}) exchanges with a code for the real token. Logout ends every token of the account (the user's token version
 * moves on), so a copied token or cookie dies with it, and the access sweep cuts open sessions.
 */
public final class AuthRoutes {
    private final devicetunnel.relay.metrics.RelayMetrics metrics;
    private static final Set<String> LOGIN_FIELDS = Set.of("username", "password");
    private final UserStore users;
    private final PasswordHasher hasher;
    private final HashingGate hashing;
    private final TokenService tokens;
    private final AuditLog audit;
    private final SessionIssuer issuer;
    private final SecondFactors factors;
    private final RateLimiter attempts;
    private final Throttle accountAttempts;
    private final AccessChanges changes;
    private final java.util.function.Predicate<String> hasPasskey;

    /**
     * {@code attempts}: per client address; {@code accountAttempts}: per username, so guesses spread over
     * many addresses (or all arriving through one proxy) still meet a limit per account (shared by
     * every relay in a cluster). {@code changes}: told when a logout revoked an account's tokens.
     */
    public AuthRoutes(UserStore users, PasswordHasher hasher, HashingGate hashing, TokenService tokens, AuditLog audit,
                      SessionIssuer issuer, SecondFactors factors, RateLimiter attempts, Throttle accountAttempts,
                      AccessChanges changes, devicetunnel.relay.metrics.RelayMetrics metrics) {
        this(users, hasher, hashing, tokens, audit, issuer, factors, attempts, accountAttempts, changes, metrics, u -> false);
    }

    /** {@code hasPasskey}: whether an account has a passkey, which also makes its login two steps. */
    public AuthRoutes(UserStore users, PasswordHasher hasher, HashingGate hashing, TokenService tokens, AuditLog audit,
                      SessionIssuer issuer, SecondFactors factors, RateLimiter attempts, Throttle accountAttempts,
                      AccessChanges changes, devicetunnel.relay.metrics.RelayMetrics metrics,
                      java.util.function.Predicate<String> hasPasskey) {
        this.hasPasskey = hasPasskey;
        this.metrics = metrics;
        this.users = users;
        this.hasher = hasher;
        this.hashing = hashing;
        this.tokens = tokens;
        this.audit = audit;
        this.issuer = issuer;
        this.factors = factors;
        this.attempts = attempts;
        this.accountAttempts = accountAttempts;
        this.changes = changes;
    }

    public void install(RoutesConfig routes) {
        routes.post("/api/v1/auth/login", this::login);
        routes.post("/api/v1/auth/logout", this::logout);
        routes.get("/api/v1/auth/me", ctx -> {
            Operator op = OperatorAuth.current(ctx);
            // sso: the account signs in through the identity provider (so step-up can go there too)
            boolean sso = users.find(op.username()).map(SsoAccounts::bySso).orElse(false);
            ctx.json(Map.of("username", op.username(), "role", op.role().name().toLowerCase(Locale.ROOT),
                    "expiresAt", op.expiresAt(), "mfaEnrolmentRequired", op.enrolOnly(), "apiToken", op.viaApiToken(),
                    "sso", sso));
        });
    }

    private void login(Context ctx) {
        // Before the Argon2 work: a flood must not buy CPU time or guesses.
        attempts.acquire(ctx.ip(), () -> audit.record("login.rate_limited", null, null, null, ctx.ip(), null));
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 4096), LOGIN_FIELDS);
        String username = body.text("username", 64);
        String password = body.text("password", 1024);
        String logged = LogSafe.text(username);
        accountAttempts.acquire(username.toLowerCase(Locale.ROOT),
                () -> audit.record("login.rate_limited", logged, null, null, ctx.ip(), "per account"));
        Optional<User> user = users.find(username);
        boolean ok = hashing.run(() -> hasher.verify(password.toCharArray(), user.map(User::passwordHash).orElse(null)))
                && user.isPresent();
        if (!ok) {
            audit.record("login.failed", logged, null, null, ctx.ip(), null);
            metrics.authFailure(devicetunnel.relay.metrics.RelayMetrics.AuthFailure.BAD_PASSWORD);
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Wrong username or password.");
        }
        boolean totp = factors.enrolled(user.get().username());
        boolean passkey = hasPasskey.test(user.get().username());
        if (totp || passkey) {
            TokenService.Issued pending = tokens.issueMfaPending(user.get());
            audit.record("login.password_ok", logged, null, null, ctx.ip(), "second factor required");
            ctx.json(Map.of("mfaRequired", true, "mfaToken", pending.token(), "expiresAt", pending.expiresAt(),
                    "methods", java.util.stream.Stream.of(totp ? "totp" : null, passkey ? "passkey" : null)
                            .filter(java.util.Objects::nonNull).toList()));
            return;
        }
        audit.record("login.ok", logged, null, null, ctx.ip(), null);
        issuer.loggedIn(ctx, user.get(), false);
    }

    /** Always clears the cookie; with a valid credential it also revokes every token of that account. */
    private void logout(Context ctx) {
        String token = Credentials.find(ctx);
        if (token != null) {
            try {
                TokenService.Verified verified = tokens.verify(token);
                if (verified.version() != TokenService.UNVERSIONED && users.revokeTokens(verified.username())) {
                    audit.record("logout", verified.username(), null, null, ctx.ip(), "tokens revoked");
                    changes.operatorChanged(verified.username());
                }
            } catch (TunnelException e) {
                // an invalid or expired credential has nothing left to revoke
            }
        }
        issuer.clear(ctx);
        ctx.status(204);
    }
}
