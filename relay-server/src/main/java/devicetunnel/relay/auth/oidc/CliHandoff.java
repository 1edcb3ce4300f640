package devicetunnel.relay.auth.oidc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * What the relay hands the CLI's loopback listener after a successful sign-in: whose it is, the PKCE
 * challenge the CLI chose, a one-time id, a short expiry, and the time the factor behind the sign-in
 * was checked (for the relay token's {@code mfa_at}). Only the holder of the matching verifier
 * (the CLI process that started the sign-in) can exchange it for a relay token, so a code seen in the
 * browser's history or by another local program is worthless.
 */
public record CliHandoff(String username, String challenge, String id, long factorAtMillis, long expiresAtMillis) {

    /** RFC 7636 S256: base64url(SHA-256(verifier)), compared in constant time. */
    public boolean verifies(String verifier) {
        if (verifier == null || verifier.length() < 43 || verifier.length() > 128) {
            return false;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
            return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), challenge.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
