package devicetunnel.relay.auth;

import io.jsonwebtoken.JwtParserBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.SecretKey;
import io.jsonwebtoken.security.Keys;

/**
 * An identity provider whose operator tokens the relay accepts: tokens must carry its {@code iss}
 * and {@code aud}, and be signed with either the issuer's own HMAC secret (HS256/384/512) or the
 * private half of its public key (RS*, PS*, ES*). Exactly one of {@code secret} and {@code publicKey}
 * is set. The relay cannot revoke such a token (it never saw it issued), so each must carry
 * {@code iat} and live at most {@code maxLifetime}.
 */
public record ExternalIssuer(String issuer, String audience, SecretKey secret, PublicKey publicKey, Duration maxLifetime) {
    /** Long enough for an IdP's usual access tokens, short enough that a leaked one soon dies. */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(1);

    public ExternalIssuer {
        if (maxLifetime == null || maxLifetime.isNegative() || maxLifetime.isZero()) {
            throw new IllegalArgumentException("an external issuer's token lifetime cap must be positive");
        }
        if (issuer == null || issuer.isBlank() || audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("an external token issuer needs both an issuer and an audience");
        }
        if ((secret == null) == (publicKey == null)) {
            throw new IllegalArgumentException("an external token issuer needs exactly one of a secret and a public key");
        }
        if (TokenService.ISSUER.equals(issuer)) {
            throw new IllegalArgumentException("the external issuer must differ from the relay's own ('" + issuer + "')");
        }
    }

    public static ExternalIssuer withSecret(String issuer, String audience, byte[] secret) {
        return new ExternalIssuer(issuer, audience, Keys.hmacShaKeyFor(secret), null, DEFAULT_MAX_LIFETIME);
    }

    public static ExternalIssuer withPublicKey(String issuer, String audience, PublicKey key) {
        return new ExternalIssuer(issuer, audience, null, key, DEFAULT_MAX_LIFETIME);
    }

    public ExternalIssuer withMaxLifetime(Duration cap) {
        return new ExternalIssuer(issuer, audience, secret, publicKey, cap);
    }

    JwtParserBuilder configure(JwtParserBuilder parser) {
        return secret != null ? parser.verifyWith(secret) : parser.verifyWith(publicKey);
    }

    /** Reads a PEM {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo) holding an RSA or EC key. */
    public static PublicKey readPublicKey(Path pemFile) throws IOException {
        String pem = Files.readString(pemFile);
        int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = pem.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(pemFile + " holds no PEM 'PUBLIC KEY' block");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 26, end));
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(pemFile + " holds neither an RSA nor an EC public key");
    }
}
