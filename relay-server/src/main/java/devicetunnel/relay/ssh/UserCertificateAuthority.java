package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.sshd.certificate.OpenSshCertificateBuilder;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * The relay as an SSH user CA: it signs an operator's own public key into an OpenSSH user
 * certificate that agents accept for a few minutes. No keys are pushed to devices and nothing
 * has to be revoked there: an operator who is removed cannot get a new certificate (nor open the
 * native websocket), and an issued one expires on its own within {@link #VALIDITY}.
 *
 * <p>Only keys worth trusting are signed: Ed25519, ECDSA (also their FIDO "sk-" forms) and RSA of
 * at least {@link #MIN_RSA_BITS} bits; DSA and short RSA are refused. Extensions follow the
 * operator's rights: {@code permit-pty} always (a shell), {@code permit-port-forwarding} only when
 * asked for (the device's own forwarding switch still decides on the agent); agent and X11
 * forwarding and user rc files never.
 */
public final class UserCertificateAuthority {
    public static final Duration VALIDITY = Duration.ofMinutes(10);
    /** Devices' clocks drift; a certificate is valid from a little before it was issued. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final int MAX_KEY_LINE = 8 * 1024;
    public static final int MIN_RSA_BITS = 3072;
    private static final java.util.Set<String> SIGNABLE_TYPES = java.util.Set.of(
            "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
            "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com");

    private final KeyPair caKey;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public record Issued(String certificate, Instant validBefore, long serial) {}

    public UserCertificateAuthority(KeyPair caKey, Clock clock) {
        this.caKey = caKey;
        this.clock = clock;
    }

    /** The CA public key, as agents trust it. */
    public String publicKeyLine() {
        return PublicKeyEntry.toString(caKey.getPublic());
    }

    /** Signs {@code publicKeyLine} (OpenSSH format) for {@code username}, for a shell only; bad keys are a 400. */
    public Issued sign(String username, String publicKeyLine) {
        return sign(username, publicKeyLine, false);
    }

    /** Like {@link #sign(String, String)}; {@code portForwarding} adds the permit-port-forwarding extension. */
    public Issued sign(String username, String publicKeyLine, boolean portForwarding) {
        PublicKey key = parse(publicKeyLine);
        Instant now = clock.instant();
        Instant validBefore = now.plus(VALIDITY);
        long serial = random.nextLong() & Long.MAX_VALUE;
        try {
            OpenSshCertificateBuilder builder = OpenSshCertificateBuilder.userCertificate()
                    .publicKey(key)
                    .serial(serial)
                    .id("devtunnel:" + username + ":" + serial)
                    .principals(List.of(username))
                    .validAfter(now.minus(BACKDATE))
                    .validBefore(validBefore)
                    .extension("permit-pty", "");
            if (portForwarding) {
                builder.extension("permit-port-forwarding", "");
            }
            OpenSshCertificate certificate = builder.sign(caKey);
            return new Issued(PublicKeyEntry.toString(certificate), validBefore, serial);
        } catch (Exception e) {
            throw new TunnelException(ErrorCode.INTERNAL, "Could not sign the certificate.", e);
        }
    }

    private static PublicKey parse(String line) {
        if (line == null || line.isBlank() || line.length() > MAX_KEY_LINE) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'publicKey' must be one OpenSSH public key line.");
        }
        PublicKey key;
        try {
            key = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.strip()).resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (Exception e) {
            key = null;
        }
        if (key == null) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'publicKey' is not a readable OpenSSH public key.");
        }
        if (key instanceof OpenSshCertificate) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "Send the plain public key, not a certificate.");
        }
        String type = org.apache.sshd.common.config.keys.KeyUtils.getKeyType(key);
        if (type == null || !SIGNABLE_TYPES.contains(type)) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "Only Ed25519, ECDSA and RSA (>= " + MIN_RSA_BITS
                    + " bits) keys are signed, not " + (type == null ? "this key type" : type) + ".");
        }
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "RSA keys must have at least " + MIN_RSA_BITS + " bits.");
        }
        return key;
    }
}
