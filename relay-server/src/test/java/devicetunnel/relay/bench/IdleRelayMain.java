package devicetunnel.relay.bench;

import devicetunnel.relay.support.TestConfigs;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.RelayServer;
import devicetunnel.protocol.KeyFiles;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import devicetunnel.relay.store.Device;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The relay under the idle-devices figure, alone in its JVM so its heap, RSS and CPU are its own.
 * Registers {@code sim-N} devices sharing one token (read from a file), prints {@code READY port},
 * answers {@code COUNT} with {@code ONLINE n}, and stops when stdin closes.
 *
 * <p>Arguments: stateDir devices hostKeyFile pingSeconds
 */
public final class IdleRelayMain {
    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        int devices = Integer.parseInt(args[1]);
        // Every simulated device shares one host key: what is measured is the links, not key storage.
        String hostKey = PublicKeyEntry.toString(KeyFiles.load(Path.of(args[2])).getPublic());
        Duration ping = Duration.ofSeconds(Long.parseLong(args[3]));
        // An in-memory SQLite database (shared cache: the pool's connections see one database):
        // registering 15,000 devices with an fsync each takes longer than the whole figure may, and
        // the store is not what this figure measures (its rows are in the zero-device baseline
        // either way). Until the store moved to SQLite this was an in-memory H2.
        RelayConfig config = TestConfigs.relay(stateDir).withPingInterval(ping)
                .withDatabaseUrl("jdbc:sqlite:file:idle?mode=memory&cache=shared")
                // Thousands of simulated agents share one address: lift the per-address connect rate too.
                .withHardening(RelayConfig.Hardening.defaults().withRates(1_000_000, 1_000_000)
                        .withNetwork(RelayConfig.Hardening.defaults().network().withRates(1_000_000, 1_000_000)));
        try (RelayServer relay = new RelayServer(config).start()) {
            for (int i = 0; i < devices; i++) {
                String id = SimulatedAgentsMain.deviceId(i);
                relay.devices().add(new Device(id, id, Map.of(), hostKey, Device.Status.ACCEPTED, null), null);
            }
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

    private IdleRelayMain() {}
}
