package devicetunnel.protocol;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Bridges SSH keys and JWT signatures. MINA hands out BouncyCastle Ed25519 key objects; jjwt signs
 * and verifies EdDSA with the JDK's own (SunEC) keys. Both speak the standard encodings (PKCS#8,
 * X.509 SubjectPublicKeyInfo), so the conversion goes through those.
 */
public final class JdkKeys {
    private JdkKeys() {}

    public static PrivateKey ed25519(PrivateKey key) {
        try {
            return KeyFactory.getInstance("Ed25519", "SunEC").generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key", e);
        }
    }

    public static PublicKey ed25519(PublicKey key) {
        try {
            return KeyFactory.getInstance("Ed25519", "SunEC").generatePublic(new X509EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    /** Parses an OpenSSH public key line ({@code ssh-ed25519 AAAA... comment}) into MINA's key object. */
    public static PublicKey parseOpenSsh(String line) {
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.strip())
                    .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (Exception e) {
            throw new IllegalArgumentException("not an OpenSSH public key line");
        }
    }

    /** Whether two OpenSSH key lines hold the same key (type and key data; comments ignored). */
    public static boolean sameOpenSshKey(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        String[] x = a.trim().split("\\s+");
        String[] y = b.trim().split("\\s+");
        return x.length >= 2 && y.length >= 2 && x[0].equals(y[0]) && x[1].equals(y[1]);
    }
}
