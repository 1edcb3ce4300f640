package devicetunnel.relay.http;

import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.ProofIds;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.auth.oidc.CliHandoff;
import devicetunnel.relay.auth.oidc.OidcProvider;
import devicetunnel.relay.auth.oidc.OidcSettings;
import devicetunnel.relay.auth.oidc.PendingLogin;
import devicetunnel.relay.auth.oidc.Seals;
import devicetunnel.relay.auth.oidc.SsoFactorTime;
import devicetunnel.relay.auth.oidc.SsoAccounts;
import devicetunnel.relay.policy.Throttle;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.LogSafe;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * OpenID Connect single sign-on: {@code start} sends the browser to the provider with state, nonce and
 * PKCE (kept sealed in a short-lived cookie), {@code callback} checks what comes back and logs the
 * user in as a password login would (session cookie, then the console). For {@code devtunnel login
 * --sso} the callback instead hands a one-time code to the CLI's loopback listener, which the CLI
 * exchanges at {@code cli-token} with its own PKCE verifier. {@code start?step_up=1} asks the provider
 * for a fresh sign-in (step-up for an SSO account; see {@link SsoFactorTime}). Every sign-in and
 * refusal is audited.
 */
public final class OidcRoutes {
    public static final String PREFIX = "/api/v1/auth/oidc";
    static final String CALLBACK = PREFIX + "/callback";
    static final String STATE_COOKIE = "dt_oidc";
    private static final Duration SIGN_IN_TIME = Duration.ofMinutes(10);
    private static final Duration HANDOFF_TIME = Duration.ofSeconds(60);
    private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Set<String> CLI_TOKEN_FIELDS = Set.of("code", "verifier");

    private final OidcSettings settings;
    private final OidcProvider provider;
    private final SsoAccounts accounts;
    private final Seals seals;
    private final ProofIds oneTime;
    private final SessionIssuer issuer;
    private final TokenService tokens;
    private final UserStore users;
    private final Throttle attempts;
    private final AuditLog audit;
    private final boolean secureCookies;
    private final Clock clock;

    public OidcRoutes(OidcSettings settings, OidcProvider provider, SsoAccounts accounts, Seals seals, ProofIds oneTime,
                      SessionIssuer issuer, TokenService tokens, UserStore users, Throttle attempts, AuditLog audit,
                      boolean secureCookies, Clock clock) {
        this.settings = settings;
        this.provider = provider;
        this.accounts = accounts;
        this.seals = seals;
        this.oneTime = oneTime;
        this.issuer = issuer;
        this.tokens = tokens;
        this.users = users;
        this.attempts = attempts;
        this.audit = audit;
        this.secureCookies = secureCookies;
        this.clock = clock;
    }

    public void install(RoutesConfig routes) {
        routes.get(PREFIX, ctx -> ctx.json(Map.of("provider", settings.providerName(), "passwordLogin", settings.passwordLogin())));
        routes.get(PREFIX + "/start", this::start);
        routes.get(CALLBACK, this::callback);
        routes.post(PREFIX + "/cli-token", this::cliToken);
    }

    private void start(Context ctx) {
        limit(ctx);
        int cliPort = 0;
        String challenge = null;
        if (ctx.queryParam("cli_port") != null) {
            cliPort = cliPort(ctx.queryParam("cli_port"));
            challenge = ctx.queryParam("cli_challenge");
            if (challenge == null || !CHALLENGE.matcher(challenge).matches()) {
                throw new TunnelException(ErrorCode.BAD_REQUEST, "cli_challenge must be a PKCE S256 challenge (43 base64url characters).");
            }
        }
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        URI redirect = redirectUri(ctx);
        boolean freshSignIn = "1".equals(ctx.queryParam("step_up"));
        URI destination = provider.authenticationUrl(redirect, state, nonce, verifier, freshSignIn);
        long now = clock.millis();
        PendingLogin pending = new PendingLogin(state.getValue(), nonce.getValue(), verifier.getValue(), redirect.toString(),
                cliPort, challenge, freshSignIn, now, now + SIGN_IN_TIME.toMillis());
        ctx.cookie(stateCookie(seals.seal(pending, STATE_COOKIE), SIGN_IN_TIME));
        ctx.redirect(destination.toString());
    }

    private void callback(Context ctx) {
        limit(ctx);
        PendingLogin pending = seals.open(ctx.cookie(STATE_COOKIE), STATE_COOKIE, PendingLogin.class);
        ctx.cookie(stateCookie("", Duration.ZERO));
        String state = ctx.queryParam("state");
        if (pending == null || pending.expiresAtMillis() < clock.millis()) {
            refuse(ctx, null, "no sign-in in progress in this browser (or it expired)");
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The sign-in expired or was started elsewhere; start again.");
        }
        if (!pending.state().equals(state)) {
            refuse(ctx, null, "state does not match");
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The sign-in answer does not belong to this sign-in; start again.");
        }
        if (!oneTime.firstUse("oidc-state", pending.state(), Instant.ofEpochMilli(pending.expiresAtMillis()))) {
            refuse(ctx, null, "replayed sign-in answer");
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "This sign-in answer was used already; start again.");
        }
        if (ctx.queryParam("error") != null || ctx.queryParam("code") == null) {
            refuse(ctx, null, "provider error " + LogSafe.text(String.valueOf(ctx.queryParam("error"))));
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The identity provider did not sign you in.");
        }
        OidcProvider.Identity identity;
        Instant factorAt;
        try {
            identity = provider.redeem(ctx.queryParam("code"), URI.create(pending.redirect()),
                    new CodeVerifier(pending.verifier()), new Nonce(pending.nonce()));
            factorAt = SsoFactorTime.of(identity, pending, clock.instant());
        } catch (TunnelException e) {
            refuse(ctx, null, LogSafe.clean(e.getMessage(), 200));
            throw e;
        }
        User user = accounts.signIn(identity, ctx.ip());
        if (pending.freshSignIn()) {
            audit.record("login.step_up", user.username(), null, null, ctx.ip(), "single sign-on");
        }
        if (pending.forCli()) {
            CliHandoff handoff = new CliHandoff(user.username(), pending.cliChallenge(), UUID.randomUUID().toString(),
                    factorAt.toEpochMilli(), clock.millis() + HANDOFF_TIME.toMillis());
            ctx.redirect("http://127.0.0.1:" + pending.cliPort() + "/callback?code="
                    + URLEncoder.encode(seals.seal(handoff, "cli-handoff"), StandardCharsets.UTF_8));
            return;
        }
        // The provider vouches for its own second factor (SsoFactorTime says since when).
        issuer.cookieOnly(ctx, user, factorAt);
        ctx.redirect("/");
    }

    private void cliToken(Context ctx) {
        limit(ctx);
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 8192), CLI_TOKEN_FIELDS);
        CliHandoff handoff = seals.open(body.text("code", 4096), "cli-handoff", CliHandoff.class);
        String verifier = body.text("verifier", 128);
        if (handoff == null || handoff.expiresAtMillis() < clock.millis() || !handoff.verifies(verifier)) {
            refuse(ctx, handoff == null ? null : handoff.username(), "CLI sign-in code invalid, expired or not matching its verifier");
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The sign-in code is invalid or expired; run devtunnel login --sso again.");
        }
        if (!oneTime.firstUse("oidc-cli", handoff.id(), Instant.ofEpochMilli(handoff.expiresAtMillis()))) {
            refuse(ctx, handoff.username(), "CLI sign-in code used twice");
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "This sign-in code was used already.");
        }
        User user = users.find(handoff.username()).orElseThrow(() ->
                new TunnelException(ErrorCode.UNAUTHORIZED, "Your account was removed meanwhile."));
        TokenService.Issued issued = tokens.issue(user, Instant.ofEpochMilli(handoff.factorAtMillis()));
        audit.record("login.sso_cli", user.username(), null, null, ctx.ip(), "token for devtunnel login --sso");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("username", user.username());
        answer.put("token", issued.token());
        answer.put("expiresAt", issued.expiresAt());
        ctx.json(answer);
    }

    /** The CLI's loopback port; the redirect goes to 127.0.0.1 only, so no other host can receive the code. */
    private static int cliPort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1024 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new TunnelException(ErrorCode.BAD_REQUEST, "cli_port must be a port number from 1024 to 65535.");
    }

    /** The login limit per address: sign-ins cost the provider round trips and the relay token issuance. */
    private void limit(Context ctx) {
        attempts.acquire(ctx.ip(), () -> audit.record("login.rate_limited", null, null, null, ctx.ip(), "single sign-on"));
    }

    private void refuse(Context ctx, String username, String why) {
        audit.record("login.sso_failed", username, null, null, ctx.ip(), why);
    }

    /** The configured public URL, or the one this request came in on. */
    private URI redirectUri(Context ctx) {
        if (settings.redirectBase() != null) {
            String base = settings.redirectBase().toString();
            return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + CALLBACK);
        }
        return URI.create(ctx.scheme() + "://" + ctx.host() + CALLBACK);
    }

    /** Lax, not Strict: the provider's redirect back is a cross-site navigation, and must carry it. */
    private Cookie stateCookie(String value, Duration maxAge) {
        Cookie cookie = new Cookie(STATE_COOKIE, value);
        cookie.setPath(PREFIX);
        cookie.setHttpOnly(true);
        cookie.setSecure(secureCookies);
        cookie.setSameSite(SameSite.LAX);
        cookie.setMaxAge((int) maxAge.toSeconds());
        return cookie;
    }
}
