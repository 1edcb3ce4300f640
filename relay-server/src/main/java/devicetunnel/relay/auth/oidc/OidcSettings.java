package devicetunnel.relay.auth.oidc;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Single sign-on with one OpenID Connect provider.
 *
 * @param issuer          the provider's issuer URL; its {@code /.well-known/openid-configuration} says the rest
 * @param clientId        the relay's client id at the provider (also the ID token's required audience)
 * @param clientSecret    the client secret (read from a file or the environment, never a flag)
 * @param redirectBase    the relay's public URL ({@code https://relay.example.com}); the provider sends users
 *                        back to {@code <redirectBase>/api/v1/auth/oidc/callback}. Null: the URL the browser used
 *                        (behind a proxy or with many names, set it)
 * @param providerName    what the console's button says: "Sign in with {@code providerName}"
 * @param usernameClaim   the claim that becomes the relay username ({@code preferred_username} by default)
 * @param mapping         claim to role and label scope rules
 * @param passwordLogin   whether password logins stay open to everyone
 * @param breakGlassUsers local accounts that may still log in with a password when {@code passwordLogin} is off
 */
public record OidcSettings(URI issuer, String clientId, String clientSecret, URI redirectBase, String providerName,
                           String usernameClaim, RoleMapping mapping, boolean passwordLogin, Set<String> breakGlassUsers) {
    public static final List<String> SCOPES = List.of("openid", "profile", "email");

    public OidcSettings {
        if (issuer == null || !issuer.isAbsolute() || issuer.getHost() == null) {
            throw new IllegalArgumentException("--oidc-issuer must be an absolute URL");
        }
        if (!"https".equals(issuer.getScheme()) && !loopback(issuer.getHost())) {
            throw new IllegalArgumentException("--oidc-issuer must be https (plain http only to this machine)");
        }
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("SSO needs --oidc-client-id");
        }
        if (clientSecret == null || clientSecret.isBlank()) {
            throw new IllegalArgumentException("SSO needs the client secret (--oidc-client-secret-file or DT_OIDC_CLIENT_SECRET)");
        }
        if (redirectBase != null && (!redirectBase.isAbsolute() || redirectBase.getHost() == null)) {
            throw new IllegalArgumentException("--oidc-redirect-base must be an absolute URL such as https://relay.example.com");
        }
        providerName = providerName == null || providerName.isBlank() ? "single sign-on" : providerName.strip();
        usernameClaim = usernameClaim == null || usernameClaim.isBlank() ? "preferred_username" : usernameClaim.strip();
        breakGlassUsers = breakGlassUsers == null ? Set.of()
                : breakGlassUsers.stream().map(u -> u.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        if (!passwordLogin && breakGlassUsers.isEmpty()) {
            throw new IllegalArgumentException("with password login off, name at least one break-glass local admin "
                    + "(--oidc-break-glass-user): the relay must stay reachable when the identity provider is not");
        }
    }

    /** Whether this local account may log in with a password. */
    public boolean passwordAllowed(String username) {
        return passwordLogin || breakGlassUsers.contains(username.toLowerCase(Locale.ROOT));
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    @Override
    public String toString() { // keeps the secret out of logs
        return "OidcSettings[issuer=" + issuer + ", clientId=" + clientId + ", provider=" + providerName + "]";
    }
}
