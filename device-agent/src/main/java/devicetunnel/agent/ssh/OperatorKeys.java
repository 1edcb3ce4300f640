package devicetunnel.agent.ssh;

import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
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
    /**
     * The key of the latest authentication attempt. MINA asks before it checks the signature (and
     * for probes without one), but no attempt follows a successful one: on an authenticated session
     * this is the key that logged in.
     */
    private static final AttributeKey<PublicKey> LAST_KEY = new AttributeKey<>();
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
        session.setAttribute(LAST_KEY, key);
        if (key instanceof OpenSshCertificate certificate) {
            return acceptsCertificate(username, certificate, Instant.now());
        }
        return contains(relayKeys, key);
    }

    /** Whether the authenticated {@code session} logged in with the relay's own key (not an operator's certificate). */
    boolean isRelay(ServerSession session) {
        PublicKey key = session.getAttribute(LAST_KEY);
        return session.isAuthenticated() && key != null && !(key instanceof OpenSshCertificate) && contains(relayKeys, key);
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
