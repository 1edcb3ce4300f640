package devicetunnel.relay.http;

import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.store.User;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Ends a successful login: the token in the JSON answer and in the HttpOnly session cookie. */
public final class SessionIssuer {
    private final TokenService tokens;
    private final boolean secureCookies;

    public SessionIssuer(TokenService tokens, boolean secureCookies) {
        this.tokens = tokens;
        this.secureCookies = secureCookies;
    }

    /** {@code mfa}: a second factor was checked for this login. */
    public void loggedIn(Context ctx, User user, boolean mfa) {
        loggedIn(ctx, user, mfa, Map.of());
    }

    /** Like {@link #loggedIn(Context, User, boolean)}, with more fields in the answer. */
    public void loggedIn(Context ctx, User user, boolean mfa, Map<String, Object> extra) {
        TokenService.Issued issued = cookieOnly(ctx, user, mfa);
        Map<String, Object> body = new java.util.LinkedHashMap<>(extra);
        body.put("token", issued.token());
        body.put("expiresAt", issued.expiresAt());
        ctx.json(body);
    }

    private TokenService.Issued cookieOnly(Context ctx, User user, boolean mfa) {
        return setCookie(ctx, tokens.issue(user, mfa));
    }

    /**
     * Issues a token as the session cookie only (a single sign-on ends with a redirect, not a JSON
     * answer); {@code factorAt}: when the provider checked the user.
     */
    public TokenService.Issued cookieOnly(Context ctx, User user, Instant factorAt) {
        return setCookie(ctx, tokens.issue(user, factorAt));
    }

    private TokenService.Issued setCookie(Context ctx, TokenService.Issued issued) {
        ctx.cookie(cookie(issued.token(), Duration.between(Instant.now(), issued.expiresAt())));
        return issued;
    }

    public void clear(Context ctx) {
        ctx.cookie(cookie("", Duration.ZERO));
    }

    private Cookie cookie(String value, Duration maxAge) {
        Cookie cookie = new Cookie(Credentials.COOKIE, value);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSecure(secureCookies);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setMaxAge((int) Math.max(0, maxAge.toSeconds()));
        return cookie;
    }
}
