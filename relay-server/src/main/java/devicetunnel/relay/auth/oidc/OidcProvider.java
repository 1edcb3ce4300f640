package devicetunnel.relay.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's side of the OpenID Connect code flow, all of it done by the Nimbus SDK: discovery from
 * the issuer, the authentication request (state, nonce, PKCE S256), the code exchange with the client
 * secret, and the ID token check (signature against the provider's JWKS, issuer, audience, expiry,
 * nonce). The JWKS is cached and fetched again when a token names a key the cache lacks, so the
 * provider may rotate keys at any time. Discovery happens at the first login, not at start: a relay
 * must come up (and its break-glass admin log in) while the provider is down.
 */
public final class OidcProvider {
    private static final Logger log = LoggerFactory.getLogger(OidcProvider.class);
    private static final int TIMEOUT_MS = 10_000;
    private static final int MAX_DOCUMENT_BYTES = 512 * 1024;
    /** Asymmetric algorithms only: an HMAC-signed ID token would be checked with the client secret. */
    private static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    private final OidcSettings settings;
    private final ClientID clientId;
    private volatile Discovered discovered;

    private record Discovered(OIDCProviderMetadata metadata, IDTokenValidator validator, ClientAuthentication auth) {}

    /**
     * What the provider vouched for; {@code claims} is the whole verified ID token payload,
     * {@code authTime} when the user last authenticated at the provider ({@code auth_time}; null if not sent).
     */
    public record Identity(String issuer, String subject, Map<String, Object> claims, Instant authTime) {}

    public OidcProvider(OidcSettings settings) {
        this.settings = settings;
        this.clientId = new ClientID(settings.clientId());
    }

    /**
     * The provider URL to send the browser to. {@code freshSignIn} (step-up): {@code prompt=login} and
     * {@code max_age=0}, so the provider authenticates the user again instead of reusing its session,
     * and must say when in {@code auth_time}.
     */
    public URI authenticationUrl(URI redirect, State state, Nonce nonce, CodeVerifier verifier, boolean freshSignIn) {
        OIDCProviderMetadata metadata = discovered().metadata();
        AuthenticationRequest.Builder request = new AuthenticationRequest.Builder(ResponseType.CODE,
                new Scope(OidcSettings.SCOPES.toArray(String[]::new)), clientId, redirect)
                .endpointURI(metadata.getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256);
        if (freshSignIn) {
            request.prompt(new Prompt(Prompt.Type.LOGIN)).maxAge(0);
        }
        return request.build().toURI();
    }

    /**
     * Exchanges the code and checks the ID token; a refusal is a 401 whose message says what did not
     * check out (never a token).
     */
    public Identity redeem(String code, URI redirect, CodeVerifier verifier, Nonce nonce) {
        Discovered d = discovered();
        TokenRequest request = new TokenRequest(d.metadata().getTokenEndpointURI(), d.auth(),
                new AuthorizationCodeGrant(new AuthorizationCode(code), redirect, verifier));
        HTTPRequest http = request.toHTTPRequest();
        http.setConnectTimeout(TIMEOUT_MS);
        http.setReadTimeout(TIMEOUT_MS);
        TokenResponse response;
        try {
            response = OIDCTokenResponseParser.parse(http.send());
        } catch (IOException e) {
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "The identity provider cannot be reached.");
        } catch (ParseException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The identity provider's answer is not a token response.");
        }
        if (!response.indicatesSuccess()) {
            var error = response.toErrorResponse().getErrorObject();
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The identity provider refused the sign-in ("
                    + error.getCode() + "): the link may have been used already.");
        }
        var idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
        if (idToken == null) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The identity provider sent no ID token.");
        }
        try {
            IDTokenClaimsSet claims = d.validator().validate(idToken, nonce);
            return new Identity(claims.getIssuer().getValue(), claims.getSubject().getValue(),
                    claims.toJWTClaimsSet().getClaims(),
                    claims.getAuthenticationTime() == null ? null : claims.getAuthenticationTime().toInstant());
        } catch (BadJOSEException | JOSEException | ParseException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The ID token did not check out: " + e.getMessage());
        }
    }

    private Discovered discovered() {
        Discovered d = discovered;
        if (d == null) {
            synchronized (this) {
                if (discovered == null) {
                    discovered = discover();
                }
                d = discovered;
            }
        }
        return d;
    }

    private Discovered discover() {
        OIDCProviderMetadata metadata;
        try {
            // resolve() also checks that the document names the configured issuer.
            metadata = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()), TIMEOUT_MS, TIMEOUT_MS);
        } catch (IOException | com.nimbusds.oauth2.sdk.GeneralException e) {
            log.warn("OpenID provider discovery at {} failed: {}", settings.issuer(), e.getMessage());
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "The identity provider cannot be reached.");
        }
        try {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.create(metadata.getJWKSetURI().toURL(),
                            new DefaultResourceRetriever(TIMEOUT_MS, TIMEOUT_MS, MAX_DOCUMENT_BYTES))
                    .retrying(true)
                    .build();
            List<JWSAlgorithm> offered = metadata.getIDTokenJWSAlgs() == null ? List.of(JWSAlgorithm.RS256)
                    : metadata.getIDTokenJWSAlgs();
            Set<JWSAlgorithm> algorithms = offered.stream().filter(ACCEPTED::contains).collect(Collectors.toSet());
            if (algorithms.isEmpty()) {
                log.warn("OpenID provider {} signs ID tokens with none of {}", settings.issuer(), ACCEPTED);
                throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "The identity provider's signing algorithms are not supported.");
            }
            IDTokenValidator validator = new IDTokenValidator(metadata.getIssuer(), clientId,
                    new JWSVerificationKeySelector<>(algorithms, keys), null);
            return new Discovered(metadata, validator, clientAuthentication(metadata));
        } catch (java.net.MalformedURLException e) {
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "The identity provider's key set URL is malformed.");
        }
    }

    /** HTTP Basic unless the provider only takes the secret in the form body. */
    private ClientAuthentication clientAuthentication(OIDCProviderMetadata metadata) {
        Secret secret = new Secret(settings.clientSecret());
        List<ClientAuthenticationMethod> methods = metadata.getTokenEndpointAuthMethods();
        if (methods != null && !methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                && methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
            return new ClientSecretPost(clientId, secret);
        }
        return new ClientSecretBasic(clientId, secret);
    }
}
