package devicetunnel.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * A relay's statement "these are my client keys and my user CA keys", signed with one of its
 * Ed25519 SSH keys. An enrolled agent pins the keys it got at enrollment and accepts other keys in
 * a welcome only with a statement whose signature verifies under a key it already pinned: trust
 * moves forward only from trust it already had, never from whoever answers on the relay's URL.
 *
 * <p>The signed bytes are a domain tag followed by the two key lists, each normalized (type and
 * base64 only, sorted, duplicates dropped), so the signature can never be mistaken for an SSH or
 * JWT signature made with the same key, and key order or comments do not matter.
 */
public record TrustRotation(List<String> relayKeys, List<String> userCaKeys, String signature) {
    static final String DOMAIN = "devicetunnel-trust-rotation-v1";

    /** Signs {@code relayKeys} and {@code userCaKeys} with {@code signer} (an Ed25519 private key). */
    public static TrustRotation sign(List<String> relayKeys, List<String> userCaKeys, PrivateKey signer) {
        try {
            Signature ed = Signature.getInstance("Ed25519", "SunEC");
            ed.initSign(JdkKeys.ed25519(signer));
            ed.update(payload(relayKeys, userCaKeys));
            return new TrustRotation(List.copyOf(relayKeys), List.copyOf(userCaKeys),
                    Base64.getEncoder().encodeToString(ed.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a trust rotation", e);
        }
    }

    /** Whether the signature verifies under {@code signer}, an OpenSSH public key line (Ed25519 only). */
    public boolean signedBy(String signer) {
        if (signature == null || relayKeys == null || userCaKeys == null) {
            return false;
        }
        try {
            PublicKey key = JdkKeys.parseOpenSsh(signer);
            if (!"ssh-ed25519".equals(KeyUtils.getKeyType(key))) {
                return false;
            }
            Signature ed = Signature.getInstance("Ed25519", "SunEC");
            ed.initVerify(JdkKeys.ed25519(key));
            ed.update(payload(relayKeys, userCaKeys));
            return ed.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The key lists in the normalized form that is signed (and that agents compare). */
    public static TreeSet<String> normalized(List<String> keyLines) {
        TreeSet<String> set = new TreeSet<>();
        for (String line : keyLines == null ? List.<String>of() : keyLines) {
            set.add(normalize(line));
        }
        return set;
    }

    /** {@code type base64} of an OpenSSH public key line, comment dropped; unparsable lines stay as given (and never match). */
    public static String normalize(String line) {
        String[] parts = line == null ? new String[0] : line.strip().split("\\s+");
        return parts.length >= 2 ? parts[0] + " " + parts[1] : "invalid:" + line;
    }

    /** The public key line of a key pair's public half, normalized. */
    public static String line(PublicKey key) {
        return normalize(PublicKeyEntry.toString(key));
    }

    private static byte[] payload(List<String> relayKeys, List<String> userCaKeys) {
        // Normalized key lines hold no newline, so one per line plus a separator is unambiguous.
        StringBuilder text = new StringBuilder(DOMAIN).append('\n');
        normalized(relayKeys).forEach(k -> text.append("relay ").append(k).append('\n'));
        normalized(userCaKeys).forEach(k -> text.append("user-ca ").append(k).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
