package devicetunnel.relay.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Where the embedded store lives and how SQLite is told to keep it safe.
 *
 * <p>WAL with {@code synchronous=FULL}: every commit fsyncs the WAL before the driver returns, so a
 * write the API has acknowledged survives kill -9 and power loss (NORMAL would only survive a
 * process crash). {@code busy_timeout}: a writer waits for another instead of failing at once.
 */
public final class SqliteFiles {
    public static final String DB = "relay.db";
    private static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private SqliteFiles() {}

    public static Path db(Path stateDir) {
        return stateDir.resolve(DB);
    }

    /** The database and its companions, which belong together in a move. */
    static List<Path> withCompanions(Path db) {
        return List.of(db, Path.of(db + "-wal"), Path.of(db + "-shm"));
    }

    public static String url(Path db) {
        return "jdbc:sqlite:" + db.toAbsolutePath();
    }

    static Properties pragmas() {
        Properties p = new Properties();
        p.setProperty("journal_mode", "WAL");
        p.setProperty("synchronous", "FULL");
        p.setProperty("busy_timeout", Integer.toString(BUSY_TIMEOUT_MILLIS));
        p.setProperty("foreign_keys", "true");
        return p;
    }
}
