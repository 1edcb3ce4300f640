package devicetunnel.relay.auth.oidc;

/**
 * A sign-in between the relay's redirect to the provider and the provider's redirect back, sealed in
 * a cookie: the state to match, the nonce the ID token must carry, the PKCE verifier, the redirect URL
 * used, and for {@code devtunnel login --sso} the CLI's loopback port and PKCE challenge (0 and null
 * for a console sign-in); {@code freshSignIn}: a step-up, which the provider must answer with a new
 * authentication made after {@code startedAtMillis}.
 */
public record PendingLogin(String state, String nonce, String verifier, String redirect, int cliPort,
                           String cliChallenge, boolean freshSignIn, long startedAtMillis, long expiresAtMillis) {
    public boolean forCli() {
        return cliPort != 0;
    }
}
