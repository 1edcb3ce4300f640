package devicetunnel.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An SSL context that trusts exactly the CA certificates in a PEM file: a relay with a private or
 * self-signed certificate. Shared by the agent ({@code --ca-file}) and the operator CLI.
 */
public final class TlsTrust {
    private TlsTrust() {}

    public static SSLContext sslContext(Path pemFile) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pemFile)) {
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new IOException("no certificate in " + pemFile);
            }
        } catch (java.security.cert.CertificateException e) {
            // the JDK's parser words ("Could not parse certificate: java.io.IOException: ...") help nobody
            throw new IOException(pemFile + " is not a PEM certificate file (expected -----BEGIN CERTIFICATE-----)", e);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
