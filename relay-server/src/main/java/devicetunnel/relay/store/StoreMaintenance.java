package devicetunnel.relay.store;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Puts the store's recurring jobs on the relay's scheduler: health probe, backups, audit retention. */
public final class StoreMaintenance {
    private static final Logger log = LoggerFactory.getLogger(StoreMaintenance.class);
    private static final Duration RETENTION_EVERY = Duration.ofHours(1);

    private StoreMaintenance() {}

    /**
     * @param backupDir null: no scheduled backups (PostgreSQL, or switched off)
     * @return the health the probe keeps current (probed once already, before this returns)
     */
    public static StoreHealth schedule(Database db, AuditLog audit, ScheduledExecutorService scheduler,
                                       Duration probeEvery, Duration backupEvery, Path backupDir, int backupKeep,
                                       Duration auditRetention, String relayName) {
        StoreHealth health = new StoreHealth(db.dataSource(), relayName, Clock.systemUTC());
        health.probe();
        every(scheduler, probeEvery, "store probe", health::probe);
        if (backupDir != null && !backupEvery.isZero() && db.kind() == Database.Kind.SQLITE) {
            ScheduledBackups backups = new ScheduledBackups(db, backupDir, backupKeep, Clock.systemUTC());
            every(scheduler, backupEvery, "scheduled backup", backups::run);
            log.info("backups every {} into {}, keeping {}", backupEvery, backupDir, backupKeep);
        }
        AuditRetention retention = new AuditRetention(audit, auditRetention, Clock.systemUTC());
        if (retention.enabled()) {
            // first run soon after start, so a relay restarted daily still prunes
            scheduler.scheduleWithFixedDelay(() -> guarded("audit retention", retention::prune),
                    Math.min(60_000, RETENTION_EVERY.toMillis()), RETENTION_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
        return health;
    }

    private static void every(ScheduledExecutorService scheduler, Duration period, String name, Runnable job) {
        long millis = period.toMillis();
        scheduler.scheduleWithFixedDelay(() -> guarded(name, job), millis, millis, TimeUnit.MILLISECONDS);
    }

    private static void guarded(String what, Runnable job) {
        try {
            job.run();
        } catch (RuntimeException e) {
            log.warn("{} failed: {}", what, e.toString()); // a thrown job would never be scheduled again
        }
    }
}
