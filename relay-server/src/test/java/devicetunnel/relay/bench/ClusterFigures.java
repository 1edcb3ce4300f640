package devicetunnel.relay.bench;

import devicetunnel.relay.support.ChildCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the cluster figures share: a cluster that fails as a figure (not the run) without its services. */
final class ClusterFigures {
    /** A fresh schema and subject prefix; PostgreSQL or NATS missing is this figure's failure, with how to start it. */
    static ChildCluster cluster(Path dir, Duration lease) throws Exception {
        try {
            return ChildCluster.create(dir, lease);
        } catch (AssertionError e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The arguments of {@link ClusterRelayMain} for relay {@code id} of {@code cluster}. */
    static List<String> relayArgs(ChildCluster cluster, String id, Duration lease, int pingSeconds) throws Exception {
        return relayArgs(cluster, id, lease, pingSeconds, devicetunnel.relay.RelayConfig.Network.AUTO_RESERVE);
    }

    /** {@code shellReserve}: the relay's {@code --shell-handshake-reserve} (-1: its default). */
    static List<String> relayArgs(ChildCluster cluster, String id, Duration lease, int pingSeconds, int shellReserve)
            throws Exception {
        return new ArrayList<>(List.of(cluster.relayState(id).toString(), cluster.dbUrl(),
                devicetunnel.relay.support.ClusterServices.NATS_URL, id, cluster.subjectPrefix(),
                Long.toString(lease.toMillis()), Integer.toString(pingSeconds), Integer.toString(shellReserve)));
    }

    static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(p / 100 * sorted.size()) - 1)));
    }

    private ClusterFigures() {}
}
