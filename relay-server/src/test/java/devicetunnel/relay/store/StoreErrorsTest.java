package devicetunnel.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.CertificateExpiredException;
import java.sql.SQLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class StoreErrorsTest {

    @Test
    void anUntrustedDatabaseCertificateIsSaidInWordsWithWhatToDo() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed: "
                + "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target");
        SQLException driver = new SQLException("SSL error: " + handshake.getMessage(), "08006", handshake);
        StoreException e = StoreErrors.translate(driver);
        assertThat(e.getMessage()).contains("cannot connect to its database", "not signed by a CA this machine trusts", "sslrootcert")
                .doesNotContain("PKIX", "sun.security");
    }

    @Test
    void anExpiredDatabaseCertificateIsSaidToBeExpired() {
        SSLHandshakeException handshake = new SSLHandshakeException("validity check failed");
        handshake.initCause(new CertificateExpiredException("NotAfter: Tue Nov 03 10:00:00 UTC 2026"));
        assertThat(StoreErrors.translate(new SQLException("SSL error", "08006", handshake)).getMessage()).contains("has expired");
    }

    @Test
    void aRefusedLoginAndAMissingDatabaseAreNamed() {
        assertThat(StoreErrors.translate(new SQLException("FATAL: password authentication failed", "28P01")).getMessage())
                .contains("refused the relay's login", "--database-password-file");
        assertThat(StoreErrors.translate(new SQLException("FATAL: database \"x\" does not exist", "3D000")).getMessage())
                .contains("does not exist");
    }
}
