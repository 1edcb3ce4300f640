package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.PasswordHasher;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Login, logout and "who am I". */
public final class AuthRoutes {
    private static final java.util.Set<String> LOGIN_FIELDS = java.util.Set.of("username", "password");
    private final UserStore users;
    private final PasswordHasher hasher;
    private final TokenService tokens;
    private final AuditLog audit;
    private final boolean secureCookies;
    private final RateLimiter attempts;

    public AuthRoutes(UserStore users, PasswordHasher hasher, TokenService tokens, AuditLog audit, boolean secureCookies,
                      RateLimiter attempts) {
        this.attempts = attempts;
        this.users = users;
        this.hasher = hasher;
        this.tokens = tokens;
        this.audit = audit;
        this.secureCookies = secureCookies;
    }

    public void install(RoutesConfig routes) {
        routes.post("/api/v1/auth/login", this::login);
        routes.post("/api/v1/auth/logout", this::logout);
        routes.get("/api/v1/auth/me", ctx -> {
            Operator op = OperatorAuth.current(ctx);
            ctx.json(Map.of("username", op.username(), "role", op.role().name().toLowerCase(java.util.Locale.ROOT),
                    "expiresAt", op.expiresAt()));
        });
    }

    private void login(Context ctx) {
        // Before the Argon2 work: a flood must not buy CPU time or guesses.
        attempts.acquire(ctx.ip(), () -> audit.record("login.rate_limited", null, null, null, ctx.ip(), null));
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 4096), LOGIN_FIELDS);
        String username = body.text("username", 64);
        String password = body.text("password", 1024);
        Optional<User> user = users.find(username);
        boolean ok = hasher.verify(password.toCharArray(), user.map(User::passwordHash).orElse(null)) && user.isPresent();
        if (!ok) {
            audit.record("login.failed", username, null, null, ctx.ip(), null);
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "Wrong username or password.");
        }
        TokenService.Issued issued = tokens.issue(user.get());
        audit.record("login.ok", username, null, null, ctx.ip(), null);
        ctx.cookie(sessionCookie(issued.token(), Duration.between(Instant.now(), issued.expiresAt())));
        ctx.json(Map.of("token", issued.token(), "expiresAt", issued.expiresAt()));
    }

    private void logout(Context ctx) {
        ctx.cookie(sessionCookie("", Duration.ZERO));
        ctx.status(204);
    }

    private Cookie sessionCookie(String value, Duration maxAge) {
        Cookie cookie = new Cookie(Credentials.COOKIE, value);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSecure(secureCookies);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setMaxAge((int) Math.max(0, maxAge.toSeconds()));
        return cookie;
    }

}
