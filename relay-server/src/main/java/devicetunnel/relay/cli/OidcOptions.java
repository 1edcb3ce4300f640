package devicetunnel.relay.cli;

import devicetunnel.relay.auth.oidc.OidcSettings;
import devicetunnel.relay.auth.oidc.RoleMapping;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** {@code relay-server serve} flags for single sign-on (docs/IDENTITY.md has worked examples). */
final class OidcOptions {
    @Option(names = "--oidc-issuer", defaultValue = "${env:DT_OIDC_ISSUER}",
            description = "OpenID Connect issuer URL, e.g. https://sso.example.com/realms/corp (env DT_OIDC_ISSUER); "
                    + "turns single sign-on on. The rest is discovered from its /.well-known/openid-configuration.")
    String issuer;

    @Option(names = "--oidc-client-id", defaultValue = "${env:DT_OIDC_CLIENT_ID}",
            description = "The relay's client id at the provider (env DT_OIDC_CLIENT_ID).")
    String clientId;

    @Option(names = "--oidc-client-secret-file", defaultValue = "${env:DT_OIDC_CLIENT_SECRET_FILE}",
            description = "File holding the client secret (env DT_OIDC_CLIENT_SECRET_FILE; or the secret itself in "
                    + "env DT_OIDC_CLIENT_SECRET).")
    Path clientSecretFile;

    @Option(names = "--oidc-redirect-base", defaultValue = "${env:DT_OIDC_REDIRECT_BASE}",
            description = "The relay's public URL as browsers reach it, e.g. https://relay.example.com (env "
                    + "DT_OIDC_REDIRECT_BASE); the provider must allow <URL>/api/v1/auth/oidc/callback. Default: the URL "
                    + "of the request (set it behind a proxy).")
    String redirectBase;

    @Option(names = "--oidc-provider-name", defaultValue = "${env:DT_OIDC_PROVIDER_NAME}",
            description = "Name on the console's button, \"Sign in with <name>\" (env DT_OIDC_PROVIDER_NAME).")
    String providerName;

    @Option(names = "--oidc-username-claim", defaultValue = "${env:DT_OIDC_USERNAME_CLAIM:-preferred_username}",
            description = "ID token claim that becomes the relay username (env DT_OIDC_USERNAME_CLAIM). Default: ${DEFAULT-VALUE}.")
    String usernameClaim;

    @Option(names = "--oidc-role-rule", defaultValue = "${env:DT_OIDC_ROLE_RULES}", split = ";",
            description = "Mapping rule CLAIM=VALUE:ROLE[:KEY=VAL,KEY=VAL], repeatable, first match wins, e.g. "
                    + "groups=ops-admins:admin or groups=ops-lab:operator:env=lab (env DT_OIDC_ROLE_RULES, ';'-separated). "
                    + "A user no rule matches is refused (and their relay account removed).")
    List<String> roleRules;

    @Option(names = "--oidc-password-login", negatable = true, defaultValue = "${env:DT_OIDC_PASSWORD_LOGIN:-true}",
            fallbackValue = "true",
            description = "Keep password login open to every local account while SSO is on (env DT_OIDC_PASSWORD_LOGIN). "
                    + "--no-oidc-password-login leaves it to the --oidc-break-glass-user accounts.")
    boolean passwordLogin;

    @Option(names = "--oidc-break-glass-user", split = ",", defaultValue = "${env:DT_OIDC_BREAK_GLASS_USERS}",
            description = "Local accounts that may still log in with a password when password login is off (env "
                    + "DT_OIDC_BREAK_GLASS_USERS).")
    List<String> breakGlassUsers;

    /** The settings, or null when no issuer is given; IllegalArgumentException for an incomplete set. */
    OidcSettings settings() throws IOException {
        if (issuer == null || issuer.isBlank()) {
            if (clientId != null || clientSecretFile != null || roleRules != null) {
                throw new IllegalArgumentException("the --oidc-* options need --oidc-issuer");
            }
            return null;
        }
        String secret = clientSecretFile != null ? Files.readString(clientSecretFile, StandardCharsets.UTF_8).strip()
                : System.getenv("DT_OIDC_CLIENT_SECRET");
        return new OidcSettings(URI.create(issuer), clientId, secret,
                redirectBase == null || redirectBase.isBlank() ? null : URI.create(redirectBase), providerName,
                usernameClaim, RoleMapping.parse(roleRules == null ? List.of() : roleRules), passwordLogin,
                breakGlassUsers == null ? Set.of() : Set.copyOf(breakGlassUsers));
    }
}
