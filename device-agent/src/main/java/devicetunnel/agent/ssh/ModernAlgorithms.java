package devicetunnel.agent.ssh;

import java.util.List;
import java.util.Set;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.server.SshServer;

/**
 * Narrows what the device's SSH server offers to algorithms ssh-audit passes. MINA's defaults keep
 * aes-cbc, hmac-sha1, ssh-rsa (SHA-1 signatures) and the NIST ECDH curves for old clients; the
 * device talks to the relay's MINA client and to current OpenSSH only, both of which negotiate the
 * modern set. The order of the tuned lists ({@code SshTuning}) is kept; entries MINA does not
 * offer (a post-quantum hybrid in an older release) simply do not appear.
 */
final class ModernAlgorithms {
    static final Set<String> KEX = Set.of(
            "mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
            "curve25519-sha256", "curve25519-sha256@libssh.org");
    static final Set<String> CIPHERS = Set.of(
            "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
            "aes128-ctr", "aes192-ctr", "aes256-ctr");
    /** Encrypt-then-MAC only: the MAC covers the ciphertext (the AEAD ciphers need none). */
    static final Set<String> MACS = Set.of("hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com");
    /**
     * Host key and user authentication signatures. ECDSA P-256 stays for operators' user keys and
     * certificates (the relay's CA signs them); ssh-rsa (SHA-1) and DSA do not.
     */
    static final Set<String> SIGNATURES = Set.of(
            "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com",
            "rsa-sha2-256", "rsa-sha2-512", "rsa-sha2-256-cert-v01@openssh.com", "rsa-sha2-512-cert-v01@openssh.com",
            "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com");

    private ModernAlgorithms() {}

    static void apply(SshServer server) {
        server.setKeyExchangeFactories(only(server.getKeyExchangeFactories(), KEX));
        server.setCipherFactories(only(server.getCipherFactories(), CIPHERS));
        server.setMacFactories(only(server.getMacFactories(), MACS));
        server.setSignatureFactories(only(server.getSignatureFactories(), SIGNATURES));
    }

    private static <T extends NamedResource> List<T> only(List<T> factories, Set<String> allowed) {
        List<T> kept = factories.stream().filter(f -> allowed.contains(f.getName())).toList();
        if (kept.isEmpty()) {
            throw new IllegalStateException("no modern SSH algorithm left among " + NamedResource.getNames(factories));
        }
        return kept;
    }
}
