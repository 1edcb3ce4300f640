package devicetunnel.relay.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens the default store, SQLite in the state directory, in the order that keeps it safe: the
 * directory private, this process its only owner, an old H2 store moved over, the file checked
 * before anything writes to it, migrations, and the whole check again. Anything wrong refuses the
 * start with what is wrong and what to run; a relay never comes up on a broken store.
 */
public final class EmbeddedStore {
    private EmbeddedStore() {}

    /** For the relay and for CLI commands that write: takes the state directory's lock. */
    public static Database open(Path stateDir) {
        StateDir.prepare(stateDir);
        StateDirLock lock = StateDirLock.acquire(stateDir);
        try {
            LegacyH2Import.runIfNeeded(stateDir);
            Path db = SqliteFiles.db(stateDir);
            if (Files.exists(db)) {
                refuseIfAny(StoreCheck.integrity(db));
            } else {
                StateDir.privateFile(db);
            }
            Database database = Database.open(SqliteFiles.url(db), null, null, SqliteFiles.pragmas(), true, lock);
            try {
                refuseIfAny(StoreCheck.problems(database));
            } catch (RuntimeException e) {
                database.close();
                throw e;
            }
            return database;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * For commands that only read (check, backup) and so may run beside a live relay: no lock, no
     * migration. SQLite's own locking keeps the reader consistent with the relay's writes.
     */
    public static Database openForReading(Path stateDir) {
        Path db = SqliteFiles.db(stateDir);
        if (!Files.exists(db)) {
            throw new IllegalStateException("no store in " + stateDir + " (" + SqliteFiles.DB + " is missing)");
        }
        return Database.open(SqliteFiles.url(db), null, null, SqliteFiles.pragmas(), false, null);
    }

    static void refuseIfAny(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new StoreDamagedException(problems);
        }
    }

    /** The store failed its check: the relay refuses to start. */
    public static final class StoreDamagedException extends IllegalStateException {
        StoreDamagedException(List<String> problems) {
            super("the store is damaged, so the relay will not start: " + String.join("; ", problems)
                    + ". To repair: " + StoreErrors.REPAIR_HINT + ".");
        }
    }
}
