package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TlsProblemsTest {
    private static final String HINT = "pass --ca-file FILE";

    @Test
    void anUntrustedCertificateNamesTheWayToTrustIt() {
        IOException e = new IOException(new SSLHandshakeException("PKIX path building failed: "
                + "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target"));
        assertThat(TlsProblems.explain(e, "relay.example.com", HINT)).hasValueSatisfying(words -> assertThat(words)
                .contains("relay.example.com", "not signed by a CA this machine trusts", HINT).doesNotContain("PKIX"));
    }

    @Test
    void expiredAndWrongNameAreTheirOwnSentences() {
        SSLHandshakeException expired = new SSLHandshakeException("PKIX path validation failed");
        expired.initCause(new CertificateExpiredException("NotAfter: ..."));
        assertThat(TlsProblems.explain(expired, "h", HINT)).hasValueSatisfying(w -> assertThat(w).contains("has expired"));
        SSLHandshakeException name = new SSLHandshakeException("No subject alternative DNS name matching h found.");
        assertThat(TlsProblems.explain(name, "h", HINT)).hasValueSatisfying(w -> assertThat(w).contains("for another name"));
    }

    @Test
    void httpsToAPlainHttpPortSaysSo() {
        SSLException plain = new SSLException("Unrecognized SSL message, plaintext connection?");
        assertThat(TlsProblems.explain(new IOException(plain), "127.0.0.1", HINT))
                .hasValueSatisfying(w -> assertThat(w).contains("does not answer in TLS", "http://"));
    }

    @Test
    void anythingElseIsNotATlsProblem() {
        assertThat(TlsProblems.explain(new ConnectException("Connection refused"), "h", HINT)).isEmpty();
    }
}
