package devicetunnel.relay.http;

import devicetunnel.relay.auth.ProofIds;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.auth.oidc.OidcProvider;
import devicetunnel.relay.auth.oidc.OidcSettings;
import devicetunnel.relay.auth.oidc.Seals;
import devicetunnel.relay.auth.oidc.SsoAccounts;
import devicetunnel.relay.policy.Throttle;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.UserStore;
import io.javalin.config.RoutesConfig;
import java.time.Clock;
import java.util.function.Consumer;

/** The single sign-on routes and the password-login switch, wired from the relay's settings. */
public final class SingleSignOn {
    private final OidcRoutes routes;
    private final PasswordLoginSwitch passwordSwitch;

    private SingleSignOn(OidcRoutes routes, PasswordLoginSwitch passwordSwitch) {
        this.routes = routes;
        this.passwordSwitch = passwordSwitch;
    }

    /** {@code accessLost}: told when an account lost rights, to end its open sessions (here and on sibling relays). */
    public static SingleSignOn wire(OidcSettings settings, byte[] tokenSecret, UserStore users, AuditLog audit,
                                    SessionIssuer issuer, TokenService tokens, ProofIds oneTime, Throttle attempts,
                                    boolean secureCookies, Consumer<String> accessLost) {
        OidcProvider provider = new OidcProvider(settings);
        SsoAccounts accounts = new SsoAccounts(settings, users, audit, accessLost);
        OidcRoutes routes = new OidcRoutes(settings, provider, accounts, new Seals(tokenSecret), oneTime, issuer, tokens,
                users, attempts, audit, secureCookies, Clock.systemUTC());
        return new SingleSignOn(routes, new PasswordLoginSwitch(settings, audit));
    }

    public void install(RoutesConfig config) {
        passwordSwitch.install(config);
        routes.install(config);
    }
}
