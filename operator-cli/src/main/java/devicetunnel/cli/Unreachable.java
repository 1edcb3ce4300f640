package devicetunnel.cli;

import devicetunnel.protocol.TlsProblems;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.ExecutionException;

/**
 * A connection to the relay that failed before the relay answered, in plain words: certificate
 * problems say which one and what to do (instead of the JDK's "PKIX path building failed:
 * sun.security..."), a refused connection or an unknown name says so (the JDK's own message for
 * those is null or a bare exception name).
 */
final class Unreachable {
    /** What to do about a certificate this machine does not trust, in the words of this CLI. */
    static final String CA_HINT = "log in with --ca-file FILE (the PEM certificate of the relay's CA)";

    private Unreachable() {}

    static CliException of(URI relay, Throwable error) {
        String words = TlsProblems.explain(error, relay.getHost(), CA_HINT).orElseGet(() -> otherwise(relay, error));
        return new CliException(CliException.UNREACHABLE, words);
    }

    private static String otherwise(URI relay, Throwable error) {
        Throwable cause = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
        String prefix = "cannot reach the relay at " + relay + ": ";
        if (cause instanceof ConnectException) {
            return prefix + "nothing answers there (is the URL right, is the relay up?)";
        }
        if (cause instanceof HttpTimeoutException) {
            return prefix + "no answer in time";
        }
        if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
            return prefix + "unknown host name " + relay.getHost();
        }
        return prefix + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
    }
}
