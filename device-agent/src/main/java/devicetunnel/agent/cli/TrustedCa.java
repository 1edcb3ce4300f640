package devicetunnel.agent.cli;

import devicetunnel.protocol.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;

/** An SSL context that trusts exactly the CA certificates in a PEM file (for private relays). */
public final class TrustedCa {
    private TrustedCa() {}

    public static SSLContext sslContext(Path pemFile) throws IOException, GeneralSecurityException {
        return TlsTrust.sslContext(pemFile);
    }
}
