package devicetunnel.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.relay.support.ClusterServices;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade from the previous release's schema keeps every row. The project has no release tags
 * yet, so "the previous release" is the migration set of commit a6a44b6 (V1..V6, before session
 * recordings): Flyway refuses a changed applied migration, so V1..V6 here are those files. The
 * store is created at V6, filled through the store classes (their writes to these tables are the
 * previous release's), then opened as the relay opens it (migrated to the newest) and read back.
 */
@Timeout(90)
class PreviousReleaseMigrationTest {
    static final String PREVIOUS_RELEASE = "6";
    private static final Instant EXPIRES = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    Path dir;

    @Test
    void sqliteStoreFromThePreviousReleaseKeepsItsDataAfterTheUpgrade() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("relay.db");
        upgradeKeepsData(url, null);
    }

    @Test
    void postgresStoreFromThePreviousReleaseKeepsItsDataAfterTheUpgrade() throws Exception {
        ClusterServices.requirePostgres();
        String schema = ClusterServices.createSchema();
        try {
            upgradeKeepsData(ClusterServices.jdbcUrl(schema), ClusterServices.PG_USER);
        } finally {
            ClusterServices.dropSchema(schema);
        }
    }

    private void upgradeKeepsData(String url, String user) {
        try (Database previous = Database.open(url, user, null, new Properties(), false, null)) {
            Flyway atPrevious = Flyway.configure().configuration(previous.flyway().getConfiguration())
                    .target(PREVIOUS_RELEASE).load();
            atPrevious.migrate();
            assertThat(atPrevious.info().current().getVersion().getVersion()).isEqualTo(PREVIOUS_RELEASE);
            fillAsThePreviousReleaseDid(previous);
        }

        try (Database upgraded = Database.open(url, user, null)) {
            MigrationInfo current = upgraded.flyway().info().current();
            assertThat(Integer.parseInt(current.getVersion().getVersion())).isGreaterThan(Integer.parseInt(PREVIOUS_RELEASE));
            assertThat(upgraded.flyway().info().pending()).isEmpty();
            assertThat(StoreCheck.problems(upgraded)).isEmpty();

            UserStore users = new UserStore(upgraded.dataSource());
            assertThat(users.find("alice")).hasValueSatisfying(alice -> {
                assertThat(alice.passwordHash()).isEqualTo("$argon2id$previous-release-hash");
                assertThat(alice.role()).isEqualTo(User.Role.OPERATOR);
                assertThat(alice.allowedLabels()).isEqualTo(Map.of("env", "lab"));
                assertThat(alice.tokenVersion()).isEqualTo(1);
            });
            DeviceStore devices = new DeviceStore(upgraded.dataSource());
            assertThat(devices.find("pump-17")).hasValueSatisfying(pump -> {
                assertThat(pump.hostKey()).isEqualTo("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPreviousReleaseHostKey");
                assertThat(pump.status()).isEqualTo(Device.Status.ACCEPTED);
                assertThat(pump.labels()).isEqualTo(Map.of("env", "lab"));
            });
            assertThat(new DeviceFeatureStore(upgraded.dataSource()).find("pump-17"))
                    .contains(new DeviceFeatures(false, true, true, false)); // web apps: new column, off
            assertThat(new RecordingStore(upgraded.dataSource()).policy("pump-17")).isEqualTo("off"); // new column, default
            assertThat(new EnrollmentStore(upgraded.dataSource()).find("token-1")).hasValueSatisfying(token -> {
                assertThat(token.uses()).isEqualTo(1);
                assertThat(token.expiresAt()).isEqualTo(EXPIRES);
            });
            assertThat(new AuditLog(upgraded.dataSource()).recent(10, "device.enrolled", "pump-17")).hasSize(1);
            assertThat(new TerminalSessionStore(upgraded.dataSource()).find("session-1")).isPresent();
            DeviceFilterStore filters = new DeviceFilterStore(upgraded.dataSource()); // a new table: none yet, then alice's own
            assertThat(filters.list("alice")).isEmpty();
            assertThat(filters.save("alice", "lab", "env=lab", 50, Instant.now()).outcome())
                    .isEqualTo(DeviceFilterStore.Outcome.CREATED);
            assertThat(filters.list("alice")).singleElement().extracting(DeviceFilterStore.DeviceFilter::filter).isEqualTo("env=lab");
        }
    }

    private static void fillAsThePreviousReleaseDid(Database db) {
        UserStore users = new UserStore(db.dataSource());
        assertThat(users.add(new User("alice", "$argon2id$previous-release-hash", User.Role.OPERATOR, Map.of("env", "lab")))).isTrue();
        assertThat(users.revokeTokens("alice")).isTrue();
        EnrollmentStore enrollments = new EnrollmentStore(db.dataSource());
        enrollments.add(new EnrollmentToken("token-1", false, true, Map.of("env", "lab"), EXPIRES, "admin", Instant.now(), 0, false),
                "hash-of-token-1");
        assertThat(enrollments.consume("token-1", Instant.now())).isTrue();
        DeviceStore devices = new DeviceStore(db.dataSource());
        assertThat(devices.add(new Device("pump-17", "pump-17", Map.of("env", "lab"),
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPreviousReleaseHostKey", Device.Status.ACCEPTED, null), "token-1")).isTrue();
        // The previous release's own statement: it knew no web-apps column.
        assertThat(new Jdbc(db.dataSource()).update("UPDATE devices SET allow_sftp = ?, allow_exec = ?, allow_forwarding = ? WHERE id = ?",
                false, true, true, "pump-17")).isEqualTo(1);
        new AuditLog(db.dataSource()).record("device.enrolled", null, "pump-17", null, "127.0.0.1", "token token-1");
        new TerminalSessionStore(db.dataSource()).add(new TerminalSessionStore.Entry("session-1", "pump-17", "alice", Instant.now()));
    }
}
