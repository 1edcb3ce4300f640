package devicetunnel.relay.bench;

import devicetunnel.relay.support.TestConfigs;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.RelayServer;
import devicetunnel.relay.cluster.ClusterConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A cluster-mode relay for the cluster figures, alone in its JVM so its heap is its own: shared
 * PostgreSQL schema and NATS prefix, the secrets already copied into its state dir. Prints
 * {@code READY port}, answers {@code COUNT} with {@code ONLINE n} (links held here), and stops when
 * stdin closes (or is killed, which is the point of the failover figure).
 *
 * <p>Arguments: stateDir databaseUrl natsUrl relayId subjectPrefix leaseMillis pingSeconds
 * [shellHandshakeReserve, -1 for the default]
 */
public final class ClusterRelayMain {
    public static void main(String[] args) throws Exception {
        RelayConfig config = TestConfigs.relay(Path.of(args[0]))
                .withDatabaseUrl(args[1])
                .withPingInterval(Duration.ofSeconds(Long.parseLong(args[6])))
                // Every simulated device connects from 127.0.0.1: lift the per-address limits and caps.
                .withHardening(RelayConfig.Hardening.defaults().withRates(1_000_000, 1_000_000).withSessionCaps(100, 100)
                        .withNetwork(RelayConfig.Network.defaults().withRates(1_000_000, 1_000_000)
                                .withShellHandshakeReserve(args.length > 7 ? Integer.parseInt(args[7])
                                        : RelayConfig.Network.AUTO_RESERVE)))
                .withCluster(new ClusterConfig(args[2], ClusterConfig.ADVERTISE_LISTENER, args[3], args[4],
                        Duration.ofMillis(Long.parseLong(args[5]))));
        try (RelayServer relay = new RelayServer(config).start()) {
            System.out.println("READY " + relay.port());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("COUNT")) {
                    System.out.println("ONLINE " + relay.registry().onlineCount());
                }
            }
        }
        System.exit(0);
    }

    private ClusterRelayMain() {}
}
