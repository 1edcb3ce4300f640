package devicetunnel.relay.cli;

import devicetunnel.protocol.KeyFiles;
import devicetunnel.relay.cluster.ClusterConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import picocli.CommandLine.Option;

/** {@code serve}'s cluster flags; none given means a single-node relay, exactly as before. */
final class ClusterOptions {
    @Option(names = "--cluster-nats-url", defaultValue = "${env:DT_CLUSTER_NATS_URL}",
            description = "NATS server of the relay cluster, e.g. nats://127.0.0.1:4222 (env DT_CLUSTER_NATS_URL). "
                    + "Switches cluster mode on; needs --advertise-url and a PostgreSQL --database-url.")
    String natsUrl;

    @Option(names = "--advertise-url", defaultValue = "${env:DT_ADVERTISE_URL}",
            description = "Base URL devices reach this relay at directly, e.g. https://relay-2.example.com (env "
                    + "DT_ADVERTISE_URL); streams of sessions held here are opened to it. 'listen': the URL this relay "
                    + "listens on (single host).")
    String advertiseUrl;

    @Option(names = "--relay-id", defaultValue = "${env:DT_RELAY_ID}",
            description = "This relay's id in the cluster (env DT_RELAY_ID). Default: generated once into the state dir.")
    String relayId;

    @Option(names = "--cluster-subject-prefix", defaultValue = "${env:DT_CLUSTER_SUBJECT_PREFIX:-devtunnel}",
            description = "Prefix of the cluster's NATS subjects. Default: ${DEFAULT-VALUE}.")
    String subjectPrefix;

    @Option(names = "--cluster-lease", defaultValue = "${env:DT_CLUSTER_LEASE:-15s}", converter = DurationConverter.class,
            description = "A relay that has not renewed its lease for this long is dead to its siblings and its devices "
                    + "show offline. Default: ${DEFAULT-VALUE}.")
    Duration lease;

    /** Null when no cluster flag is set; otherwise a complete config or a clear refusal. */
    ClusterConfig config(Path stateDir, String databaseUrl) throws IOException {
        if (natsUrl == null && advertiseUrl == null && relayId == null) {
            return null;
        }
        ClusterConfig.checkDatabase(databaseUrl);
        String id = relayId != null ? relayId
                : KeyFiles.readOrCreateSecret(stateDir.resolve("relay-id"),
                        () -> "relay-" + UUID.randomUUID().toString().substring(0, 8));
        return new ClusterConfig(natsUrl, advertiseUrl, id, subjectPrefix, lease);
    }
}
