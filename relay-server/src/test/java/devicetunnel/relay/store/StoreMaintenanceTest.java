package devicetunnel.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Audit retention that audits itself, and scheduled backups that keep a fixed number. */
@Timeout(60)
class StoreMaintenanceTest {
    @TempDir
    Path dir;

    @Test
    void auditRetentionRemovesOnlyOldEventsAndRecordsThatItDid() throws Exception {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        try (Database db = EmbeddedStore.open(dir.resolve("state"))) {
            AuditLog audit = new AuditLog(db.dataSource());
            insert(db, now.minus(Duration.ofDays(400)), "login.ok");
            insert(db, now.minus(Duration.ofDays(10)), "login.ok");
            assertThat(new AuditRetention(audit, Duration.ZERO, Clock.fixed(now, ZoneOffset.UTC)).prune())
                    .as("the default keeps everything").isZero();

            assertThat(new AuditRetention(audit, Duration.ofDays(365), Clock.fixed(now, ZoneOffset.UTC)).prune()).isEqualTo(1);
            assertThat(audit.recent(10)).extracting(AuditLog.Event::event)
                    .containsExactly(AuditRetention.PRUNED_EVENT, "login.ok");
            assertThat(audit.recent(1).get(0).detail()).contains("removed 1 events").contains("retention 365d");
        }
    }

    @Test
    void scheduledBackupsAreCheckedCopiesAndOnlyTheNewestAreKept() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
        Clock clock = new Clock() {
            @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now.get(); }
        };
        try (Database db = EmbeddedStore.open(dir.resolve("state"))) {
            new UserStore(db.dataSource()).add(new User("alice", "h", User.Role.ADMIN, java.util.Map.of()));
            ScheduledBackups backups = new ScheduledBackups(db, dir.resolve("backups"), 2, clock);
            for (int i = 0; i < 4; i++) {
                backups.run();
                now.set(now.get().plus(Duration.ofHours(1)));
            }
            assertThat(backups.backups()).extracting(p -> p.getFileName().toString())
                    .containsExactly("relay-20261201T020000.000Z.db", "relay-20261201T030000.000Z.db");
            assertThat(StoreCheck.integrity(backups.backups().get(1))).isEmpty();
        }
    }

    private static void insert(Database db, Instant at, String event) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO audit_events (at, event) VALUES (?, ?)")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, event);
            ps.executeUpdate();
        }
    }
}
