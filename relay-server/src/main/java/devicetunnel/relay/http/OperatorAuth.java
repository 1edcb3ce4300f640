package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.metrics.RelayMetrics;
import devicetunnel.relay.metrics.RelayMetrics.AuthFailure;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.http.Context;

/** Authenticates API calls and websocket upgrades; the operator ends up as a request attribute. */
public final class OperatorAuth {
    public static final String ATTRIBUTE = "operator";

    private final TokenService tokens;
    private final UserStore users;
    private final RelayMetrics metrics;

    public OperatorAuth(TokenService tokens, UserStore users, RelayMetrics metrics) {
        this.tokens = tokens;
        this.users = users;
        this.metrics = metrics;
    }

    /** Throws a 401 {@link TunnelException} unless the request carries a valid token of an existing user. */
    public Operator authenticate(Context ctx) {
        String token = Credentials.find(ctx);
        if (token == null) {
            metrics.authFailure(AuthFailure.NO_CREDENTIALS);
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Log in first.");
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
        Operator operator = new Operator(user.username(), user.role(), verified.expiresAt(), verified.version());
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
