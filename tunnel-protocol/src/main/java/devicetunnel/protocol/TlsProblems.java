package devicetunnel.protocol;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Turns the JDK's TLS failures ("PKIX path building failed: sun.security.provider.certpath...")
 * into words a person can act on. The JDK wraps the real reason several levels deep and names it
 * differently per path (HTTP client, websocket client), so the whole cause chain is read.
 */
public final class TlsProblems {
    private TlsProblems() {}

    /**
     * Plain words for a certificate problem somewhere in {@code error}'s causes, or empty when the
     * failure is not about TLS. {@code host} is the name that was dialled; {@code caHint} says how
     * to trust a private CA with this program (e.g. "pass --ca-file FILE").
     */
    public static Optional<String> explain(Throwable error, String host, String caHint) {
        boolean tls = false;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            String lower = message.toLowerCase(Locale.ROOT);
            if (t instanceof CertificateExpiredException || isReason(t, CertPathValidatorException.BasicReason.EXPIRED)) {
                return Optional.of("the TLS certificate of " + host + " has expired: the relay's operator must renew it");
            }
            if (t instanceof CertificateNotYetValidException || isReason(t, CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return Optional.of("the TLS certificate of " + host + " is not valid yet: check this machine's clock");
            }
            if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
                return Optional.of("the TLS certificate presented at " + host + " is for another name: "
                        + "use the relay's name as written in its certificate");
            }
            if (lower.contains("unable to find valid certification path") || lower.contains("pkix path building failed")
                    || isReason(t, CertPathValidatorException.BasicReason.UNSPECIFIED) && lower.contains("trust anchor")) {
                return Optional.of("the TLS certificate of " + host + " is not signed by a CA this machine trusts"
                        + " (a private or self-signed CA?): " + caHint);
            }
            if (lower.contains("unrecognized ssl message") || lower.contains("plaintext connection")) {
                return Optional.of(host + " does not answer in TLS: is it a plain http:// address, or the wrong port?");
            }
            if (lower.contains("validity check failed")) {
                return Optional.of("the TLS certificate of " + host + " has expired or is not valid yet");
            }
            tls |= t instanceof SSLException;
        }
        return tls ? Optional.of("the TLS connection to " + host + " failed: " + rootMessage(error)) : Optional.empty();
    }

    private static boolean isReason(Throwable t, CertPathValidatorException.Reason reason) {
        return t instanceof CertPathValidatorException v && v.getReason() == reason;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
