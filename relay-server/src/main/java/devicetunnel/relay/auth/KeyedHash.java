package devicetunnel.relay.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under a key the database never holds: for high-entropy secrets (API tokens) and
 * recovery codes, a stolen database alone neither reveals nor lets anyone test them. Fast on purpose:
 * the secrets are random, so there is nothing for a slow KDF to protect.
 */
public final class KeyedHash {
    private final SecretKeySpec key;

    public KeyedHash(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** A key for one purpose derived from a master secret, so one secret file can serve several uses. */
    public static KeyedHash derived(byte[] master, String purpose) {
        return new KeyedHash(derive(master, purpose));
    }

    /** HMAC-SHA256(master, purpose): a 32-byte key for one purpose. */
    public static byte[] derive(byte[] master, String purpose) {
        return new KeyedHash(master).mac(purpose.getBytes(StandardCharsets.UTF_8));
    }

    public String hex(String secret) {
        return HexFormat.of().formatHex(mac(secret.getBytes(StandardCharsets.UTF_8)));
    }

    private byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison of {@code secret}'s hash with a stored one. */
    public boolean matches(String secret, String storedHex) {
        return storedHex != null && MessageDigest.isEqual(hex(secret).getBytes(StandardCharsets.US_ASCII),
                storedHex.getBytes(StandardCharsets.US_ASCII));
    }
}
