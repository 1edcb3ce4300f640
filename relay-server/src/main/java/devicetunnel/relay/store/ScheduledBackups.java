package devicetunnel.relay.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's own periodic backups: {@code relay-<UTC time>.db} in one directory, the newest
 * {@code keep} kept. Names sort by time, so pruning never needs file dates (which copies change).
 */
public final class ScheduledBackups {
    private static final Logger log = LoggerFactory.getLogger(ScheduledBackups.class);
    private static final String PREFIX = "relay-";
    private static final String SUFFIX = ".db";
    private final Database db;
    private final Path dir;
    private final int keep;
    private final Clock clock;

    public ScheduledBackups(Database db, Path dir, int keep, Clock clock) {
        if (keep < 1) {
            throw new IllegalArgumentException("--backup-keep must be at least 1");
        }
        this.db = db;
        this.dir = dir;
        this.keep = keep;
        this.clock = clock;
    }

    /** One backup and the pruning after it; failures are logged, the next run tries again. */
    public void run() {
        try {
            if (!Files.isDirectory(dir)) {
                StateDir.prepare(dir); // created private; a directory the operator chose keeps its mode
            }
            Path target = dir.resolve(PREFIX + StoreBackup.STAMP.format(OffsetDateTime.now(clock.withZone(ZoneOffset.UTC)))
                    + SUFFIX);
            StoreBackup.backup(db, target);
            log.info("backup written: {}", target);
            prune();
        } catch (RuntimeException e) {
            log.error("scheduled backup failed: {}", e.getMessage());
        }
    }

    public List<Path> backups() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
            }).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private void prune() {
        List<Path> all = backups();
        for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
            try {
                Files.deleteIfExists(old);
                log.info("old backup removed (keeping {}): {}", keep, old.getFileName());
            } catch (IOException e) {
                log.warn("cannot remove old backup {}: {}", old, e.getMessage());
            }
        }
    }
}
