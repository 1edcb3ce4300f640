package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.oidc.OidcSettings;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.LogSafe;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * With single sign-on and password login switched off, {@code POST /api/v1/auth/login} stays open only
 * to the break-glass local accounts: the relay is still reachable when the identity provider is not.
 * Runs before the login itself, so a refused name costs no password hashing.
 */
public final class PasswordLoginSwitch {
    private final OidcSettings settings;
    private final AuditLog audit;

    public PasswordLoginSwitch(OidcSettings settings, AuditLog audit) {
        this.settings = settings;
        this.audit = audit;
    }

    public void install(RoutesConfig routes) {
        if (!settings.passwordLogin()) {
            routes.before("/api/v1/auth/login", this::check);
        }
    }

    private void check(Context ctx) {
        String username = Json.readObject(ctx.body(), 4096).path("username").asText("");
        if (!settings.passwordAllowed(username)) {
            audit.record("login.password_off", LogSafe.text(username), null, null, ctx.ip(), "password login is off");
            throw new TunnelException(ErrorCode.FORBIDDEN, "Password login is off: sign in with " + settings.providerName() + ".");
        }
    }
}
