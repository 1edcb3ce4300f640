package devicetunnel.relay.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** OpenSSH's {@code SHA256:...} fingerprint of a public key line, what {@code ssh-keygen -lf} prints on the device. */
public final class HostKeyFingerprint {
    private HostKeyFingerprint() {}

    /** Null when there is no key yet or the line is not an OpenSSH public key. */
    public static String of(String openSshLine) {
        if (openSshLine == null) {
            return null;
        }
        String[] parts = openSshLine.trim().split("\\s+");
        if (parts.length < 2) {
            return null;
        }
        try {
            byte[] blob = Base64.getDecoder().decode(parts[1]);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (IllegalArgumentException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
