package devicetunnel.relay.bench;

import devicetunnel.protocol.KeyFiles;
import devicetunnel.relay.support.ChildCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * Cluster, idle devices: M simulated links on one single-node relay (the baseline), then M on each
 * of three cluster relays. Heap per device (after a full GC, minus the same relay with none) is
 * compared; the shared store's writes per second (PostgreSQL's row counters for the cluster's
 * schema) are read over a quiet window once every link is up, and over the connect burst.
 */
final class ClusterIdle {
    private static final Duration LEASE = Duration.ofSeconds(15); // the default
    private static final String RELAY_HEAP = "-Xmx1g";

    static void run(BenchOptions options, Path dir, Report report) throws Exception {
        int perRelay = options.clusterIdleDevices() / 3;
        int pingSeconds = options.pick(3, 10);
        int windowSeconds = options.pick(10, 30);
        Files.createDirectories(dir);
        Path hostKeyFile = dir.resolve("device_ed25519");
        String hostKey = PublicKeyEntry.toString(KeyFiles.loadOrCreate(hostKeyFile).getPublic());

        double single = singleNodePerDevice(dir.resolve("single"), perRelay, hostKeyFile, pingSeconds);
        try (ChildCluster cluster = ClusterFigures.cluster(dir.resolve("cluster"), LEASE)) {
            cluster.registerSimulatedDevices(3 * perRelay, hostKey);
            List<ChildJvm> relays = new ArrayList<>();
            List<Long> heap0 = new ArrayList<>();
            List<Integer> ports = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                String id = "relay-" + r;
                ChildJvm relay = new ChildJvm(ClusterRelayMain.class, List.of(RELAY_HEAP, "-XX:+UseG1GC"),
                        ClusterFigures.relayArgs(cluster, id, LEASE, pingSeconds), dir.resolve(id + ".log"));
                cluster.own(relay::close);
                relays.add(relay);
                ports.add(Integer.parseInt(relay.await("READY ", Duration.ofMinutes(2))));
            }
            for (ChildJvm relay : relays) {
                heap0.add(ProcStats.heapUsedAfterGcKiB(relay.pid()));
            }
            long writes0 = storeWrites(cluster);
            long start = System.nanoTime();
            for (int r = 0; r < 3; r++) {
                ChildJvm agents = new ChildJvm(SimulatedAgentsMain.class, List.of("-Xmx1g", "-Xss256k"),
                        List.of("http://127.0.0.1:" + ports.get(r), Integer.toString(perRelay), hostKeyFile.toString(), "0",
                                Integer.toString(r * perRelay)), dir.resolve("agents-" + r + ".log"));
                cluster.own(agents::close);
                agents.await("WELCOMED ", Duration.ofMinutes(3));
            }
            int online = 0;
            double perDevice = 0;
            for (int r = 0; r < 3; r++) {
                relays.get(r).send("COUNT");
                int n = Integer.parseInt(relays.get(r).await("ONLINE ", Duration.ofSeconds(30)));
                online += n;
                perDevice += (ProcStats.heapUsedAfterGcKiB(relays.get(r).pid()) - heap0.get(r)) / (double) Math.max(1, n) / 3;
            }
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            // A busy backend publishes its row counters at most once a second, an idle one up to 10 s
            // later: let the connect burst's counts land before the window opens.
            TimeUnit.SECONDS.sleep(12);
            long writes1 = storeWrites(cluster);
            TimeUnit.SECONDS.sleep(windowSeconds); // the measurement window: nothing happens but pings and leases
            long writes2 = storeWrites(cluster);
            double steady = (writes2 - writes1) / (double) windowSeconds;

            report.add(new Report.Row("cluster idle", "heap per device, 3 relays", perDevice, "KiB", single,
                    "~1x one relay", perDevice <= single * 1.2, String.format(Locale.ROOT,
                    "%d links over 3 cluster relays (%d each asked); baseline = one single-node relay with %d", online, perRelay, perRelay)));
            report.add(new Report.Row("cluster idle", "store writes/s, steady", steady, "rows/s", null, null, null,
                    String.format(Locale.ROOT, "rows inserted+updated+deleted in the cluster schema over %d s with %d links, "
                            + "pings every %d s, lease %d s", windowSeconds, online, pingSeconds, LEASE.toSeconds())));
            report.add(new Report.Row("cluster idle", "store writes, connect burst", (writes1 - writes0) / (double) Math.max(1, online),
                    "rows/link", null, null, null, String.format(Locale.ROOT, "%d rows for %d connects in %.1f s",
                    writes1 - writes0, online, connectSeconds)));
        }
    }

    /** Heap per link on one single-node relay holding {@code devices} simulated links. */
    private static double singleNodePerDevice(Path dir, int devices, Path hostKeyFile, int pingSeconds) throws Exception {
        Files.createDirectories(dir);
        try (ChildJvm relay = new ChildJvm(IdleRelayMain.class, List.of(RELAY_HEAP, "-XX:+UseG1GC"),
                List.of(dir.resolve("relay").toString(), Integer.toString(devices), hostKeyFile.toString(),
                        Integer.toString(pingSeconds)), dir.resolve("relay.log"))) {
            int port = Integer.parseInt(relay.await("READY ", Duration.ofMinutes(2)));
            long heap0 = ProcStats.heapUsedAfterGcKiB(relay.pid());
            try (ChildJvm agents = new ChildJvm(SimulatedAgentsMain.class, List.of("-Xmx1g", "-Xss256k"),
                    List.of("http://127.0.0.1:" + port, Integer.toString(devices), hostKeyFile.toString()), dir.resolve("agents.log"))) {
                agents.await("WELCOMED ", Duration.ofMinutes(3));
                relay.send("COUNT");
                int online = Integer.parseInt(relay.await("ONLINE ", Duration.ofSeconds(30)));
                return (ProcStats.heapUsedAfterGcKiB(relay.pid()) - heap0) / (double) Math.max(1, online);
            }
        }
    }

    /** Rows written so far in the cluster's schema, as PostgreSQL counts them. */
    private static long storeWrites(ChildCluster cluster) throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.dbUrl()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables "
                     + "WHERE schemaname = current_schema()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private ClusterIdle() {}
}
