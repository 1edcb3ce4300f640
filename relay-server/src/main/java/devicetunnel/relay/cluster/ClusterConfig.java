package devicetunnel.relay.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Cluster mode: this relay shares presence with its siblings in PostgreSQL and routes stream
 * requests to them over NATS. Null in {@link devicetunnel.relay.RelayConfig} means single node.
 *
 * @param natsUrl       e.g. nats://127.0.0.1:4222
 * @param advertiseUrl  the base URL devices use to reach this relay directly (streams of sessions
 *                      held here go to it), or {@link #ADVERTISE_LISTENER} for the URL the relay
 *                      listens on (single host, tests)
 * @param relayId       this relay's name in the cluster (subject-safe: letters, digits, '-', '_')
 * @param subjectPrefix first token(s) of every NATS subject, so clusters (or test runs) sharing a
 *                      NATS server do not hear each other
 * @param leasePeriod   how long a relay counts as alive after its last lease renewal; renewed
 *                      every third of it. A killed relay's devices stop counting as online after at most this.
 */
public record ClusterConfig(String natsUrl, String advertiseUrl, String relayId, String subjectPrefix,
                            Duration leasePeriod) {
    public static final String ADVERTISE_LISTENER = "listen";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    /** Refuses a cluster that could not work, with a message saying which part is missing. */
    public ClusterConfig {
        if (natsUrl == null || natsUrl.isBlank()) {
            throw new IllegalArgumentException("cluster mode needs --cluster-nats-url (e.g. nats://127.0.0.1:4222)");
        }
        if (advertiseUrl == null || advertiseUrl.isBlank()) {
            throw new IllegalArgumentException("cluster mode needs --advertise-url: the https:// URL devices reach "
                    + "this relay at directly (sessions' streams come there)");
        }
        if (!ADVERTISE_LISTENER.equals(advertiseUrl)) {
            URI uri = URI.create(advertiseUrl);
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("--advertise-url must be a plain http(s)://host[:port] base URL");
            }
        }
        if (relayId == null || !ID.matcher(relayId).matches()) {
            throw new IllegalArgumentException("--relay-id must be 1-64 letters, digits, '-' or '_'");
        }
        if (subjectPrefix == null || !PREFIX.matcher(subjectPrefix).matches()) {
            throw new IllegalArgumentException("--cluster-subject-prefix must be dot-separated letters, digits, '-' or '_'");
        }
        if (leasePeriod == null || leasePeriod.toMillis() < 300) {
            throw new IllegalArgumentException("--cluster-lease must be at least 300ms");
        }
    }

    /** Cluster mode shares state, so the store must be one every relay reaches: PostgreSQL. */
    public static void checkDatabase(String databaseUrl) {
        if (databaseUrl == null) {
            throw new IllegalArgumentException("cluster mode needs a shared PostgreSQL store: pass --database-url "
                    + "jdbc:postgresql://... (the embedded store lives in one relay's state dir)");
        }
        if (!databaseUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("cluster mode needs PostgreSQL; --database-url is not a jdbc:postgresql: URL");
        }
    }

    public String openSubject(String relay) {
        return subjectPrefix + ".relay." + relay + ".open";
    }

    public String streamFailedSubject(String relay) {
        return subjectPrefix + ".relay." + relay + ".stream-failed";
    }

    /** Where relays tell each other about revocations and logouts (every relay listens). */
    public String accessSubject() {
        return subjectPrefix + ".access";
    }

    /** Where a relay asks which relay holds a live terminal session (every relay listens, the holder answers). */
    public String sessionHolderSubject() {
        return subjectPrefix + ".session-holder";
    }

    public String advertised(String listenerUrl) {
        return ADVERTISE_LISTENER.equals(advertiseUrl) ? listenerUrl : advertiseUrl.replaceAll("/+$", "");
    }
}
