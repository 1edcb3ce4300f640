package devicetunnel.agent.ssh;

import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;

/**
 * Who may log in: the relay's own client key (browser terminals, file transfer), or an operator
 * presenting a user certificate signed by the relay's CA whose principals name the login user.
 * MINA has already checked the certificate's type, validity and CA signature when it asks us; we
 * check that the CA is the relay's and the principal, and re-check type and validity so this
 * class alone is a complete rule.
 */
final class OperatorKeys implements PublickeyAuthenticator {
    private final List<PublicKey> relayKeys = new CopyOnWriteArrayList<>();
    private final List<PublicKey> userCaKeys = new CopyOnWriteArrayList<>();

    void setRelayKeys(List<PublicKey> keys) {
        relayKeys.clear();
        relayKeys.addAll(keys);
    }

    void setUserCaKeys(List<PublicKey> keys) {
        userCaKeys.clear();
        userCaKeys.addAll(keys);
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        if (key instanceof OpenSshCertificate certificate) {
            return acceptsCertificate(username, certificate, Instant.now());
        }
        return contains(relayKeys, key);
    }

    boolean acceptsCertificate(String username, OpenSshCertificate certificate, Instant now) {
        return certificate.getType() == OpenSshCertificate.Type.USER
                && OpenSshCertificate.isValidAt(certificate, now)
                && contains(userCaKeys, certificate.getCaPubKey())
                // An empty principal list means "anyone" to OpenSSH; the relay never issues those.
                && certificate.getPrincipals() != null
                && certificate.getPrincipals().contains(username);
    }

    private static boolean contains(List<PublicKey> keys, PublicKey key) {
        for (PublicKey allowed : keys) {
            if (KeyUtils.compareKeys(allowed, key)) {
                return true;
            }
        }
        return false;
    }
}
