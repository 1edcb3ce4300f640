package devicetunnel.relay.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import devicetunnel.relay.auth.oidc.OidcSettings;
import devicetunnel.relay.auth.oidc.RoleMapping;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * A real OpenID provider in the test JVM (NAV's mock-oauth2-server on 127.0.0.1, port 0): discovery,
 * authorization endpoint (signs users in at once, no login page), token endpoint with PKCE, JWKS.
 * {@link #nextUser} sets the claims of the next ID token it issues; {@link #rotateKey} replaces its
 * signing key (the JWKS then lists only the new one), as a provider's key rotation does.
 */
public final class TestIdp implements AutoCloseable {
    public static final String ISSUER_ID = "corp";
    public static final String CLIENT_ID = "device-tunnel-relay";
    public static final String CLIENT_SECRET = "relay-client-secret-for-tests";
    public static final String PROVIDER = "Corp SSO";

    private final RotatingKeys keys = new RotatingKeys();
    private final MockOAuth2Server server;

    public TestIdp() throws Exception {
        server = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(keys)));
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    public URI issuer() {
        return server.issuerUrl(ISSUER_ID).uri();
    }

    /** Relay settings for this provider: dt-admins are admins, dt-ops operators on env=lab devices. */
    public OidcSettings settings(boolean passwordLogin, Set<String> breakGlass) {
        return new OidcSettings(issuer(), CLIENT_ID, CLIENT_SECRET, null, PROVIDER, null,
                RoleMapping.parse(List.of("groups=dt-admins:admin", "groups=dt-ops:operator:env=lab")), passwordLogin, breakGlass);
    }

    public OidcSettings settings() {
        return settings(true, Set.of());
    }

    /** The next ID token: this subject, username and groups, for the relay, valid an hour. */
    public void nextUser(String subject, String username, List<String> groups) {
        nextToken(subject, username, groups, List.of(CLIENT_ID), 3600);
    }

    /** The next ID token, saying the user authenticated at the provider at {@code authTime} ({@code auth_time}). */
    public void nextUser(String subject, String username, List<String> groups, java.time.Instant authTime) {
        server.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", List.of(CLIENT_ID),
                Map.of("preferred_username", username, "groups", groups, "aud", List.of(CLIENT_ID),
                        "auth_time", authTime.getEpochSecond()), 3600));
    }

    /** The next ID token with any audience and lifetime (negative: already expired). */
    public void nextToken(String subject, String username, List<String> groups, List<String> audience, long lifetimeSeconds) {
        // The provider sets the ID token's aud to the client that redeems the code; extra claims come after.
        server.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, subject, "JWT", audience,
                Map.of("preferred_username", username, "groups", groups, "aud", audience), lifetimeSeconds));
    }

    public String rotateKey() {
        return keys.rotate();
    }

    public String currentKeyId() {
        return keys.current.getKeyID();
    }

    @Override
    public void close() {
        server.shutdown();
    }

    /** One signing key at a time; rotating makes a new one with a new key id. */
    private static final class RotatingKeys extends KeyProvider {
        private volatile RSAKey current = generate();

        RotatingKeys() {
            super(List.of(), "RS256");
        }

        String rotate() {
            current = generate();
            return current.getKeyID();
        }

        @Override
        public JWK signingKey(String issuerId) {
            return current;
        }

        private static RSAKey generate() {
            try {
                return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
