package devicetunnel.relay.cluster;

import devicetunnel.relay.support.TestConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.RelayServer;
import devicetunnel.relay.cli.RelayMain;
import devicetunnel.relay.support.ClusterServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Cluster mode with a part missing (or not shared) refuses to start, saying which part. */
@Timeout(60)
class ClusterStartRefusalIT {
    @TempDir
    Path dir;

    @Test
    void refusesTheEmbeddedStore() {
        Result r = serve("--cluster-nats-url", ClusterServices.NATS_URL, "--advertise-url", "listen", "--relay-id", "r1");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("cluster mode needs a shared PostgreSQL store").contains("--database-url");
    }

    @Test
    void refusesANonPostgresStore() {
        Result r = serve("--database-url", "jdbc:h2:mem:x", "--cluster-nats-url", ClusterServices.NATS_URL,
                "--advertise-url", "listen");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("cluster mode needs PostgreSQL");
    }

    @Test
    void refusesMissingAdvertiseUrl() {
        Result r = serve("--database-url", "jdbc:postgresql://127.0.0.1:5432/test", "--cluster-nats-url",
                ClusterServices.NATS_URL, "--relay-id", "r1");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("cluster mode needs --advertise-url");
    }

    @Test
    void refusesMissingNatsUrl() {
        Result r = serve("--database-url", "jdbc:postgresql://127.0.0.1:5432/test", "--advertise-url", "listen");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("cluster mode needs --cluster-nats-url");
    }

    @Test
    void refusesUnreachableNats() throws Exception {
        ClusterServices.requirePostgres();
        String schema = ClusterServices.createSchema();
        try {
            Result r = serve("--database-url", ClusterServices.jdbcUrl(schema) + "&user=" + ClusterServices.PG_USER,
                    "--cluster-nats-url", "nats://127.0.0.1:1", "--advertise-url", "listen", "--relay-id", "r1");
            assertThat(r.code).isEqualTo(1);
            assertThat(r.err).contains("cannot reach NATS at nats://127.0.0.1:1").contains("--cluster-nats-url");
        } finally {
            ClusterServices.dropSchema(schema);
        }
    }

    @Test
    void refusesARelayWhoseSecretsDifferFromItsLiveSiblings() throws Exception {
        ClusterServices.requireAll();
        String schema = ClusterServices.createSchema();
        String db = ClusterServices.jdbcUrl(schema) + "&user=" + ClusterServices.PG_USER;
        String prefix = ClusterServices.subjectPrefix();
        try (RelayServer first = new RelayServer(cluster(dir.resolve("first"), db, "first", prefix)).start()) {
            assertThatThrownBy(() -> new RelayServer(cluster(dir.resolve("second"), db, "second", prefix)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("live relay(s) [first] use another relay SSH key")
                    .hasMessageContaining("relay_ed25519, user_ca_ed25519 and jwt.secret");
        } finally {
            ClusterServices.dropSchema(schema);
        }
    }

    @Test
    void refusesARelayIdThatALiveRelayElsewhereHolds() throws Exception {
        ClusterServices.requireAll();
        String schema = ClusterServices.createSchema();
        String db = ClusterServices.jdbcUrl(schema) + "&user=" + ClusterServices.PG_USER;
        String prefix = ClusterServices.subjectPrefix();
        Path first = dir.resolve("first");
        try (RelayServer running = new RelayServer(cluster(first, db, "same-id", prefix)).start()) {
            // A copy of the whole state dir: same secrets, same id, another listener.
            Path copy = Files.createDirectories(dir.resolve("copy"));
            for (String name : List.of("relay_ed25519", "user_ca_ed25519", "jwt.secret", "totp.key")) {
                Files.copy(first.resolve(name), copy.resolve(name));
            }
            RelayServer second = new RelayServer(cluster(copy, db, "same-id", prefix));
            assertThatThrownBy(second::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("relay id same-id is in use by a live relay at " + running.baseUrl());
        } finally {
            ClusterServices.dropSchema(schema);
        }
    }

    private static RelayConfig cluster(Path state, String db, String id, String prefix) {
        return TestConfigs.relay(state).withDatabaseUrl(db)
                .withCluster(new ClusterConfig(ClusterServices.NATS_URL, "listen", id, prefix, Duration.ofSeconds(3)));
    }

    private record Result(int code, String err) {}

    private Result serve(String... clusterArgs) {
        CommandLine cli = RelayMain.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        String[] args = new String[clusterArgs.length + 5];
        args[0] = "serve";
        args[1] = "--listen";
        args[2] = "127.0.0.1:0";
        args[3] = "--state-dir";
        args[4] = dir.resolve("state").toString();
        System.arraycopy(clusterArgs, 0, args, 5, clusterArgs.length);
        int code = cli.execute(args);
        return new Result(code, err.toString());
    }
}
