package devicetunnel.relay.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * Is the store whole? SQLite's integrity check, Flyway's validation (every migration applied and
 * unchanged), every table answering. The relay runs it before saying it is listening, and
 * {@code relay-server db check} prints it.
 */
public final class StoreCheck {
    static final List<String> TABLES = List.of("users", "devices", "enrollment_tokens", "audit_events",
            "store_heartbeat");
    private static final int MAX_REPORTED = 5;

    private StoreCheck() {}

    /** SQLite's own check of a database file, before anything else opens (or migrates) it. */
    public static List<String> integrity(Path db) {
        try (Connection c = DriverManager.getConnection(SqliteFiles.url(db), SqliteFiles.pragmas())) {
            return integrity(c);
        } catch (SQLException e) {
            return List.of(StoreErrors.describe(e));
        }
    }

    /** The whole check on an open store; empty when it is sound. */
    public static List<String> problems(Database db) {
        List<String> problems = new ArrayList<>();
        if (db.kind() == Database.Kind.SQLITE) {
            try (Connection c = db.dataSource().getConnection()) {
                problems.addAll(integrity(c));
            } catch (SQLException e) {
                problems.add(StoreErrors.describe(e));
            }
        }
        try {
            ValidateResult result = db.flyway().validateWithResult();
            if (!result.validationSuccessful) {
                problems.add("the schema does not match the relay's migrations: "
                        + result.getAllErrorMessages().replace('\n', ' '));
            }
        } catch (RuntimeException e) {
            problems.add("the migration history cannot be read: " + e.getMessage());
        }
        problems.addAll(missingTables(db.dataSource()));
        return problems;
    }

    static List<String> missingTables(DataSource ds) {
        List<String> problems = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet ignored = s.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0")) {
                    // the table answers
                } catch (SQLException e) {
                    problems.add("table " + table + " is missing or unreadable: " + StoreErrors.describe(e));
                }
            }
        } catch (SQLException e) {
            problems.add(StoreErrors.describe(e));
        }
        return problems;
    }

    private static List<String> integrity(Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            while (rs.next() && problems.size() < MAX_REPORTED) {
                String row = rs.getString(1);
                if (!"ok".equals(row)) {
                    problems.add("integrity check: " + row);
                }
            }
        }
        return problems;
    }
}
