package devicetunnel.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.User;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Operator tokens: the relay's own and an external issuer's; everything forged, stale or misaddressed is a 401. */
@Timeout(30)
class TokenServiceTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-relay".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final User ALICE = new User("alice", "x", User.Role.OPERATOR, Map.of());

    private final TokenService tokens = new TokenService(SECRET, Duration.ofHours(1), CLOCK, null);

    @Test
    void acceptsItsOwnTokens() {
        TokenService.Issued issued = tokens.issue(ALICE);
        assertThat(tokens.verify(issued.token())).isEqualTo(new TokenService.Verified("alice", issued.expiresAt(), 0));
    }

    @Test
    void refusesExpiredTokens() {
        String token = new TokenService(SECRET, Duration.ofMinutes(5), Clock.fixed(NOW.minus(Duration.ofHours(1)), ZoneOffset.UTC), null)
                .issue(ALICE).token();
        assertRefused(token, "expired");
    }

    @Test
    void refusesTokensNotYetValid() {
        String token = own().notBefore(Date.from(NOW.plus(Duration.ofMinutes(10)))).signWith(Keys.hmacShaKeyFor(SECRET)).compact();
        assertRefused(token, "not valid yet");
    }

    @Test
    void refusesTheWrongAudienceAndIssuer() {
        assertRefused(Jwts.builder().issuer(TokenService.ISSUER).audience().add("another-app").and().subject("alice")
                .expiration(Date.from(NOW.plusSeconds(600))).signWith(Keys.hmacShaKeyFor(SECRET)).compact(), "invalid");
        assertRefused(Jwts.builder().issuer("someone-else").audience().add(TokenService.AUDIENCE).and().subject("alice")
                .expiration(Date.from(NOW.plusSeconds(600))).signWith(Keys.hmacShaKeyFor(SECRET)).compact(), "invalid");
    }

    @Test
    void refusesUnsignedAndTamperedAndForeignTokens() {
        assertRefused(own().compact(), "invalid"); // alg: none
        String[] parts = tokens.issue(ALICE).token().split("\\.");
        String evil = Base64.getUrlEncoder().withoutPadding().encodeToString(new String(Base64.getUrlDecoder().decode(parts[1]),
                StandardCharsets.UTF_8).replace("alice", "admin").getBytes(StandardCharsets.UTF_8));
        assertRefused(parts[0] + "." + evil + "." + parts[2], "invalid");
        byte[] other = "another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8);
        assertRefused(own().signWith(Keys.hmacShaKeyFor(other)).compact(), "invalid");
        assertRefused("not-a-jwt", "invalid");
        assertRefused("a".repeat(9000), "malformed");
    }

    @Test
    void acceptsAnExternalIssuerSigningWithItsPrivateKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair idp = generator.generateKeyPair();
        TokenService withIdp = new TokenService(SECRET, Duration.ofHours(1), CLOCK,
                ExternalIssuer.withPublicKey("https://idp.example", "relay-api", idp.getPublic()));
        String good = external("https://idp.example", "relay-api").signWith(idp.getPrivate(), Jwts.SIG.ES256).compact();
        assertThat(withIdp.verify(good).username()).isEqualTo("alice");

        assertRefusedBy(withIdp, external("https://idp.example", "other").signWith(idp.getPrivate(), Jwts.SIG.ES256).compact());
        KeyPair stranger = generator.generateKeyPair();
        assertRefusedBy(withIdp, external("https://idp.example", "relay-api").signWith(stranger.getPrivate(), Jwts.SIG.ES256).compact());
        // Algorithm confusion: an HMAC "signed" with the public key's bytes must not pass as the issuer's.
        assertRefusedBy(withIdp, external("https://idp.example", "relay-api")
                .signWith(Keys.hmacShaKeyFor(idp.getPublic().getEncoded())).compact());
        // Without an exp claim a token would live forever: refused.
        assertRefusedBy(withIdp, Jwts.builder().issuer("https://idp.example").audience().add("relay-api").and().subject("alice")
                .signWith(idp.getPrivate(), Jwts.SIG.ES256).compact());
    }

    @Test
    void acceptsAnExternalIssuerWithItsOwnHmacSecretAndStrongerAlgorithms() {
        byte[] idpSecret = "the-idp-secret-of-sixty-four-bytes-for-hs512-0123456789abcdefghi".getBytes(StandardCharsets.UTF_8);
        TokenService withIdp = new TokenService(SECRET, Duration.ofHours(1), CLOCK,
                ExternalIssuer.withSecret("https://idp.example", "relay-api", idpSecret));
        String hs512 = external("https://idp.example", "relay-api").signWith(Keys.hmacShaKeyFor(idpSecret), Jwts.SIG.HS512).compact();
        assertThat(withIdp.verify(hs512).username()).isEqualTo("alice");
        assertThat(withIdp.verify(hs512).version()).isEqualTo(TokenService.UNVERSIONED);
        assertThat(withIdp.verify(withIdp.issue(ALICE).token()).username()).isEqualTo("alice");
        // The IdP's secret cannot mint the relay's own tokens, nor the other way round.
        assertRefusedBy(withIdp, own().claim(TokenService.VERSION_CLAIM, 0).signWith(Keys.hmacShaKeyFor(idpSecret)).compact());
        assertRefusedBy(withIdp, external("https://idp.example", "relay-api").signWith(Keys.hmacShaKeyFor(SECRET)).compact());
    }

    @Test
    void refusesToShareTheRelaysSecretWithAnExternalIssuer() {
        assertThatThrownBy(() -> new TokenService(SECRET, Duration.ofHours(1), CLOCK,
                ExternalIssuer.withSecret("https://idp.example", "relay-api", SECRET)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ");
    }

    @Test
    void capsTheLifetimeOfExternalTokens() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair idp = generator.generateKeyPair();
        TokenService withIdp = new TokenService(SECRET, Duration.ofHours(1), CLOCK,
                ExternalIssuer.withPublicKey("https://idp.example", "relay-api", idp.getPublic()).withMaxLifetime(Duration.ofMinutes(30)));
        String shortLived = external("https://idp.example", "relay-api").signWith(idp.getPrivate(), Jwts.SIG.ES256).compact();
        assertThat(withIdp.verify(shortLived).username()).isEqualTo("alice");
        String yearLong = Jwts.builder().issuer("https://idp.example").audience().add("relay-api").and().subject("alice")
                .issuedAt(Date.from(NOW)).expiration(Date.from(NOW.plus(Duration.ofDays(365))))
                .signWith(idp.getPrivate(), Jwts.SIG.ES256).compact();
        assertRefusedBy(withIdp, yearLong);
        String noIssuedAt = Jwts.builder().issuer("https://idp.example").audience().add("relay-api").and().subject("alice")
                .expiration(Date.from(NOW.plusSeconds(600))).signWith(idp.getPrivate(), Jwts.SIG.ES256).compact();
        assertRefusedBy(withIdp, noIssuedAt);
    }

    @Test
    void ownTokensCarryTheUsersTokenVersionAndNeedIt() {
        User bumped = new User("alice", "x", User.Role.OPERATOR, Map.of(), 7);
        assertThat(tokens.verify(tokens.issue(bumped).token()).version()).isEqualTo(7);
        // A token of ours without a version (as issued before versions existed) is refused.
        assertRefused(own().signWith(Keys.hmacShaKeyFor(SECRET)).compact(), "invalid");
    }

    private static io.jsonwebtoken.JwtBuilder own() {
        return Jwts.builder().issuer(TokenService.ISSUER).audience().add(TokenService.AUDIENCE).and().subject("alice")
                .expiration(Date.from(NOW.plusSeconds(600)));
    }

    private static io.jsonwebtoken.JwtBuilder external(String issuer, String audience) {
        return Jwts.builder().issuer(issuer).audience().add(audience).and().subject("alice")
                .issuedAt(Date.from(NOW)).expiration(Date.from(NOW.plusSeconds(600)));
    }

    private void assertRefused(String token, String message) {
        assertThatThrownBy(() -> tokens.verify(token))
                .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED))
                .hasMessageContaining(message);
    }

    private static void assertRefusedBy(TokenService service, String token) {
        assertThatThrownBy(() -> service.verify(token))
                .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }
}
