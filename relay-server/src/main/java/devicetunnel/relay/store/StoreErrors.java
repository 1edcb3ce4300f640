package devicetunnel.relay.store;

import devicetunnel.protocol.ErrorCode;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Turns driver errors into messages an operator can act on. SQLite reports its primary result code
 * as the vendor code (sqlite-jdbc); PostgreSQL's SQL states cover the same cases.
 */
public final class StoreErrors {
    static final String REPAIR_HINT = "run `relay-server db check`, then `relay-server db restore FILE` "
            + "with a backup (docs/OPERATIONS.md)";
    public static final String IN_USE = "the relay is running on this state directory: use the API (or stop it)";

    // SQLite primary result codes (sqlite3.h)
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_IOERR = 10;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_FULL = 13;
    private static final int SQLITE_CANTOPEN = 14;
    private static final int SQLITE_NOTADB = 26;

    private StoreErrors() {}

    static StoreException translate(SQLException e) {
        // The relay's one outgoing TLS connection: PostgreSQL with sslmode=verify-full. The driver
        // words a certificate problem as "SSL error: PKIX path building failed: sun.security...".
        java.util.Optional<String> tls = devicetunnel.protocol.TlsProblems.explain(e, "the database server",
                "name the CA's PEM file with sslrootcert=FILE in --database-url");
        if (tls.isPresent()) {
            return new StoreException(ErrorCode.STORE_UNAVAILABLE, "The relay cannot connect to its database: " + tls.get() + ".", e);
        }
        int code = e.getErrorCode() & 0xff; // extended codes carry the primary one in the low byte
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String text = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (code == SQLITE_FULL || state.equals("53100") || text.contains("no space left")) {
            return new StoreException(ErrorCode.INSUFFICIENT_STORAGE,
                    "The disk holding the relay's store is full: nothing was saved. Free space; the relay "
                            + "recovers by itself.", e);
        }
        if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || text.contains("readonly")) {
            return new StoreException(ErrorCode.STORE_UNAVAILABLE,
                    "The relay's store cannot be written: check that the state directory is writable by the "
                            + "relay's user.", e);
        }
        if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
            return new StoreException(ErrorCode.STORE_UNAVAILABLE,
                    "The relay's store is damaged: " + REPAIR_HINT + ".", e);
        }
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
            return new StoreException(ErrorCode.STORE_UNAVAILABLE,
                    "The relay's store is busy (another process holds it): try again.", e);
        }
        if (state.startsWith("28")) { // invalid authorization (PostgreSQL 28000, 28P01)
            return new StoreException(ErrorCode.STORE_UNAVAILABLE,
                    "The database refused the relay's login: check --database-user and --database-password-file.", e);
        }
        if (state.equals("3D000")) { // invalid catalog name
            return new StoreException(ErrorCode.STORE_UNAVAILABLE,
                    "The database named in --database-url does not exist: create it (the relay creates its tables).", e);
        }
        if (code == SQLITE_IOERR || state.startsWith("08")) {
            return new StoreException(ErrorCode.STORE_UNAVAILABLE,
                    "The relay's store cannot be reached (I/O or connection error): try again.", e);
        }
        return new StoreException(ErrorCode.INTERNAL, "database error", e);
    }

    /** One line for logs and /readyz: the people's message, then the driver's, never parameters. */
    static String describe(SQLException e) {
        StoreException translated = translate(e);
        return translated.code() == ErrorCode.INTERNAL ? "database error: " + e.getMessage()
                : translated.getMessage();
    }
}
