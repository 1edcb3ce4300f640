package devicetunnel.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A state directory from before SQLite: its H2 file moves over by itself, nothing lost, the H2 file kept. */
@Timeout(60)
class LegacyH2ImportTest {
    @TempDir
    Path state;

    @Test
    void anOldH2StoreMovesToSqliteAtStartAndIsKeptAsABackup() throws Exception {
        Instant enrolledAt = Instant.parse("2026-06-01T10:00:00Z");
        String h2 = "jdbc:h2:file:" + state.resolve("relay") + ";DB_CLOSE_ON_EXIT=FALSE";
        try (Connection c = DriverManager.getConnection(h2, "sa", "")) {
            // the schema exactly as the H2 relay made it: its migrations up to V3
            Flyway.configure().dataSource(h2, "sa", "").target("3")
                    .locations("classpath:db/migration/standard", "classpath:db/migration/common").load().migrate();
            exec(c, "INSERT INTO users (username, password_hash, role, allowed_labels, created_at) VALUES (?, ?, ?, ?, ?)",
                    "alice", "$argon2id$hash", "ADMIN", "", Timestamp.from(enrolledAt));
            exec(c, "INSERT INTO devices (id, name, labels, host_key, status, created_at, enrolled_with, allow_sftp, "
                    + "allow_exec, allow_forwarding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "dev-1", "dev-1", "env=lab",
                    "ssh-ed25519 AAAA", "ACCEPTED", Timestamp.from(enrolledAt), "tok-1", false, true, true);
            exec(c, "INSERT INTO enrollment_tokens (id, token_hash, reusable, auto_accept, labels, expires_at, created_by, "
                    + "created_at, uses, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "tok-1", "hash-1", true, true,
                    "env=lab", Timestamp.from(enrolledAt.plus(1, ChronoUnit.DAYS)), "alice", Timestamp.from(enrolledAt), 1, false);
            exec(c, "INSERT INTO audit_events (at, event, actor, device_id) VALUES (?, ?, ?, ?)",
                    Timestamp.from(enrolledAt), "device.enrolled", null, "dev-1");
            exec(c, "SHUTDOWN");
        }
        assertThat(state.resolve("relay.mv.db")).exists();

        try (Database db = EmbeddedStore.open(state)) {
            assertThat(new UserStore(db.dataSource()).find("alice")).hasValueSatisfying(u -> {
                assertThat(u.passwordHash()).isEqualTo("$argon2id$hash");
                assertThat(u.role()).isEqualTo(User.Role.ADMIN);
            });
            Device device = new DeviceStore(db.dataSource()).find("dev-1").orElseThrow();
            assertThat(device.labels()).isEqualTo(Map.of("env", "lab"));
            assertThat(device.hostKey()).isEqualTo("ssh-ed25519 AAAA");
            devicetunnel.protocol.DeviceFeatures features = new DeviceFeatureStore(db.dataSource()).find("dev-1").orElseThrow();
            assertThat(features.sftp()).isFalse();
            assertThat(features.forwarding()).isTrue();
            EnrollmentToken token = new EnrollmentStore(db.dataSource()).find("tok-1").orElseThrow();
            assertThat(token.uses()).isEqualTo(1);
            assertThat(token.expiresAt()).isEqualTo(enrolledAt.plus(1, ChronoUnit.DAYS));
            assertThat(new AuditLog(db.dataSource()).recent(10)).singleElement()
                    .satisfies(e -> assertThat(e.at()).isEqualTo(enrolledAt));
        }
        assertThat(state.resolve("relay.mv.db")).doesNotExist();
        try (Stream<Path> files = Files.list(state)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("relay.mv.db.h2-backup-"));
        }
        try (Database again = EmbeddedStore.open(state)) { // a second start does not import twice
            assertThat(new UserStore(again.dataSource()).list()).hasSize(1);
        }
    }

    private static void exec(Connection c, String sql, Object... params) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }
}
