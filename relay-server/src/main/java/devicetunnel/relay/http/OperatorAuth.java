package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.ApiTokens;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.MfaPolicy;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.metrics.RelayMetrics;
import devicetunnel.relay.metrics.RelayMetrics.AuthFailure;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.http.Context;

/**
 * Authenticates API calls and websocket upgrades (a login token or an API token); the operator ends
 * up as a request attribute. A login of a role that must use a second factor, made without one, only
 * reaches the routes that enrol one.
 */
public final class OperatorAuth {
    public static final String ATTRIBUTE = "operator";
    /** Where an enrol-only login may go: who am I, and the second-factor routes. */
    private static final String ENROLMENT_PATHS = "/api/v1/account/mfa";

    private final TokenService tokens;
    private final UserStore users;
    private final RelayMetrics metrics;
    private final ApiTokens apiTokens;
    private final MfaPolicy mfa;

    public OperatorAuth(TokenService tokens, UserStore users, RelayMetrics metrics) {
        this(tokens, users, metrics, null, MfaPolicy.NONE);
    }

    /** {@code apiTokens}: null when API tokens are not accepted. */
    public OperatorAuth(TokenService tokens, UserStore users, RelayMetrics metrics, ApiTokens apiTokens, MfaPolicy mfa) {
        this.tokens = tokens;
        this.users = users;
        this.metrics = metrics;
        this.apiTokens = apiTokens;
        this.mfa = mfa;
    }

    /** Throws a 401 {@link TunnelException} unless the request carries a valid token of an existing user. */
    public Operator authenticate(Context ctx) {
        String token = Credentials.find(ctx);
        if (token == null) {
            metrics.authFailure(AuthFailure.NO_CREDENTIALS);
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Log in first.");
        }
        if (apiTokens != null && ApiTokens.looksLike(token)) {
            return fromApiToken(ctx, token);
        }
        TokenService.Verified verified;
        try {
            verified = tokens.verify(token);
        } catch (TunnelException e) {
            metrics.authFailure(AuthFailure.BAD_TOKEN);
            throw e;
        }
        // The role comes from the database, not the token: demotions and removals apply at once, and
        // an external issuer's tokens need not know the relay's roles.
        User user = users.find(verified.username()).orElse(null);
        if (user == null) {
            metrics.authFailure(AuthFailure.UNKNOWN_USER);
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Your account no longer exists.");
        }
        if (verified.version() != TokenService.UNVERSIONED && verified.version() != user.tokenVersion()) {
            metrics.authFailure(AuthFailure.REVOKED_TOKEN);
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "You logged out or changed your password; log in again.");
        }
        // External issuers are trusted to have checked their own second factor.
        boolean enrolOnly = verified.version() != TokenService.UNVERSIONED && !verified.mfa() && mfa.requires(user.role());
        Operator operator = new Operator(user.username(), user.role(), verified.expiresAt(), verified.version(), null,
                java.util.EnumSet.allOf(devicetunnel.relay.auth.Scope.class), enrolOnly, verified.factorAt());
        if (enrolOnly && !ctx.path().equals("/api/v1/auth/me") && !ctx.path().startsWith(ENROLMENT_PATHS)) {
            metrics.authFailure(AuthFailure.MFA_REQUIRED);
            throw new TunnelException(ErrorCode.FORBIDDEN, "Your role requires a second factor: set up an authenticator first.");
        }
        ctx.attribute(ATTRIBUTE, operator);
        return operator;
    }

    private Operator fromApiToken(Context ctx, String token) {
        ApiTokens.Grant grant;
        try {
            grant = apiTokens.verify(token);
        } catch (TunnelException e) {
            metrics.authFailure(AuthFailure.BAD_TOKEN);
            throw e;
        }
        Operator operator = new Operator(grant.owner().username(), grant.role(), grant.row().expiresAt(),
                TokenService.UNVERSIONED, grant.row().id(), grant.scopes(), false);
        ctx.attribute(ATTRIBUTE, operator);
        return operator;
    }

    public static Operator current(Context ctx) {
        Operator operator = ctx.attribute(ATTRIBUTE);
        if (operator == null) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Log in first.");
        }
        return operator;
    }

    public static void requireAdmin(Context ctx) {
        if (!current(ctx).isAdmin()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "Only admins may do this.");
        }
    }
}
