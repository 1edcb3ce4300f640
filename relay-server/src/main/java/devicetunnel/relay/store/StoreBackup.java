package devicetunnel.relay.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Backups and restores of the embedded store. A backup is {@code VACUUM INTO}: one read transaction
 * on the live store (the relay keeps writing beside it) writing a compact, consistent copy. It is
 * written under a temporary name, checked, then renamed, so a file with the final name is whole.
 */
public final class StoreBackup {
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'");

    private StoreBackup() {}

    /** Writes a checked copy of the open SQLite store to {@code target} (mode 0600). */
    public static void backup(Database db, Path target) {
        if (db.kind() != Database.Kind.SQLITE) {
            throw new IllegalArgumentException("backups here are of the embedded store; back PostgreSQL up "
                    + "with pg_dump");
        }
        if (Files.exists(target)) {
            throw new IllegalArgumentException(target + " exists: choose a new file name");
        }
        Path dir = target.toAbsolutePath().getParent();
        Path partial = dir.resolve(target.getFileName() + ".partial");
        try {
            Files.createDirectories(dir);
            LegacyH2Import.deleteWithCompanions(partial);
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
                ps.setString(1, partial.toString());
                ps.execute();
            }
            Files.setPosixFilePermissions(partial, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            fsync(partial);
            List<String> problems = StoreCheck.integrity(partial);
            if (!problems.isEmpty()) {
                throw new IllegalStateException("the backup failed its check: " + String.join("; ", problems));
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (SQLException e) {
            deleteQuietly(partial);
            throw StoreErrors.translate(e);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new IllegalStateException("cannot write the backup " + target + ": " + devicetunnel.protocol.PlainWords.of(e), e);
        }
    }

    /**
     * Replaces the state directory's store with {@code backup}: refused while a relay (or another
     * command) holds the directory. The replaced store is kept beside it, renamed, never deleted.
     * Returns the name the replaced store was kept under (null when there was none).
     */
    public static Path restore(Path stateDir, Path backup) {
        if (!Files.isRegularFile(backup)) {
            throw new IllegalArgumentException("no backup file " + backup);
        }
        List<String> problems = new ArrayList<>(StoreCheck.integrity(backup));
        if (problems.isEmpty()) {
            try (Database copy = Database.open(SqliteFiles.url(backup), null, null, SqliteFiles.pragmas(), false, null)) {
                problems.addAll(StoreCheck.missingTables(copy.dataSource()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(backup + " is not a usable relay backup: " + String.join("; ", problems));
        }
        StateDir.prepare(stateDir);
        try (StateDirLock ignored = StateDirLock.acquire(stateDir)) {
            Path db = SqliteFiles.db(stateDir);
            Path incoming = stateDir.resolve(SqliteFiles.DB + ".restoring");
            LegacyH2Import.deleteWithCompanions(incoming);
            StateDir.privateFile(incoming);
            Files.copy(backup, incoming, StandardCopyOption.REPLACE_EXISTING);
            fsync(incoming);
            Path kept = null;
            if (Files.exists(db)) {
                kept = stateDir.resolve(SqliteFiles.DB + ".replaced-" + STAMP.format(OffsetDateTime.now(ZoneOffset.UTC)));
                for (Path p : SqliteFiles.withCompanions(db)) {
                    if (Files.exists(p)) {
                        Files.move(p, Path.of(kept + p.toString().substring(db.toString().length())),
                                StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            }
            Files.move(incoming, db, StandardCopyOption.ATOMIC_MOVE);
            fsync(stateDir);
            return kept;
        } catch (IOException e) {
            throw new IllegalStateException("cannot restore into " + stateDir + ": " + devicetunnel.protocol.PlainWords.of(e), e);
        }
    }

    static void fsync(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover .partial is never mistaken for a backup
        }
    }
}
