package devicetunnel.relay;

import devicetunnel.relay.support.TestConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.relay.store.Device;
import devicetunnel.relay.support.ClusterServices;
import devicetunnel.relay.support.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL backup procedure of docs/OPERATIONS.md, for real: a relay on a throwaway database
 * with an enrolled, connected device; {@code pg_dump} while it runs; {@code pg_restore} into a new
 * database; a new relay on it with the old relay's three key files; the same agent comes back
 * online there without enrolling again (its token was one-time and is used up).
 */
@Timeout(150)
class PostgresBackupRestoreIT {
    private static final String HOST = "127.0.0.1";

    @TempDir
    Path dir;

    @Test
    void aDumpRestoredIntoANewDatabaseServesTheSameDeviceWithoutReEnrolment() throws Exception {
        ClusterServices.requirePostgres();
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String source = "dt_backup_" + suffix;
        String restored = "dt_restored_" + suffix;
        execute("CREATE DATABASE " + source);
        try (TestRelay relay = new TestRelay(dir.resolve("first"), c -> c.withDatabaseUrl(url(source)))) {
            relay.startAgent("pg-dev", Map.of());
            relay.awaitOnline("pg-dev", true);
            Path dump = dir.resolve("relay.dump");
            run("pg_dump", "--host", HOST, "--username", ClusterServices.PG_USER, "--format", "custom",
                    "--file", dump.toString(), source); // online: one consistent snapshot
            int port = relay.stop();

            execute("CREATE DATABASE " + restored);
            run("pg_restore", "--host", HOST, "--username", ClusterServices.PG_USER, "--no-owner", "--exit-on-error",
                    "--dbname", restored, dump.toString());

            // A new relay host: an empty state directory with only the relay's key files from the backup.
            Path oldState = dir.resolve("first").resolve("relay");
            Path newState = Files.createDirectories(dir.resolve("second"));
            for (String keyFile : List.of("relay_ed25519", "user_ca_ed25519", "jwt.secret")) {
                Files.copy(oldState.resolve(keyFile), newState.resolve(keyFile));
            }
            try (RelayServer second = new RelayServer(TestConfigs.relay(newState).withDatabaseUrl(url(restored))
                    .withPort(port)).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> second.registry().isOnline("pg-dev"));
                assertThat(second.devices().find("pg-dev")).get().extracting(Device::status).isEqualTo(Device.Status.ACCEPTED);
                assertThat(second.audit().recent(50, "device.enrolled", "pg-dev")).hasSize(1); // the original one only
            }
        } finally {
            execute("DROP DATABASE IF EXISTS " + source + " WITH (FORCE)");
            execute("DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)");
        }
    }

    private static String url(String database) {
        return "jdbc:postgresql://" + HOST + ":5432/" + database + "?user=" + ClusterServices.PG_USER;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(ClusterServices.PG_SERVER, ClusterServices.PG_USER, null);
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
