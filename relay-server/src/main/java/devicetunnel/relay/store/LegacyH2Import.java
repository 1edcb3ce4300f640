package devicetunnel.relay.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a state directory's old H2 store ({@code relay.mv.db}) into SQLite, once, at start. The
 * copy is built under a temporary name and renamed into place only when complete, so a crash
 * midway leaves the H2 file as it was and the next start simply does it again. The H2 file is kept,
 * renamed, as a backup. Columns are matched by name, so an H2 file at any older migration moves.
 */
final class LegacyH2Import {
    static final String H2_FILE = "relay.mv.db";
    private static final Logger log = LoggerFactory.getLogger(LegacyH2Import.class);
    private static final List<String> TABLES = List.of("users", "devices", "enrollment_tokens", "audit_events");

    private LegacyH2Import() {}

    /** Imports when an H2 store is there; returns what was moved (table -> rows), empty when nothing was. */
    static Map<String, Integer> runIfNeeded(Path stateDir) {
        Path h2 = stateDir.resolve(H2_FILE);
        if (!Files.exists(h2)) {
            return Map.of();
        }
        Path target = SqliteFiles.db(stateDir);
        Map<String, Integer> moved = new LinkedHashMap<>();
        if (!Files.exists(target)) {
            Path staging = stateDir.resolve(SqliteFiles.DB + ".importing");
            deleteWithCompanions(staging);
            StateDir.privateFile(staging);
            try (Database sqlite = Database.open(SqliteFiles.url(staging), null, null, SqliteFiles.pragmas(), true, null);
                 Connection from = DriverManager.getConnection(h2Url(stateDir), "sa", "")) {
                try (Connection to = sqlite.dataSource().getConnection()) {
                    to.setAutoCommit(false);
                    for (String table : TABLES) {
                        moved.put(table, copy(from, to, table));
                    }
                    to.commit();
                    try (Statement s = to.createStatement()) {
                        s.execute("PRAGMA wal_checkpoint(TRUNCATE)"); // everything in the main file before the rename
                    }
                }
            } catch (SQLException | RuntimeException e) {
                throw new IllegalStateException("the old H2 store " + h2 + " could not be moved to SQLite ("
                        + e.getMessage() + "). It is untouched: restore it from a backup, or move it away to "
                        + "start with an empty store.", e);
            }
            move(staging, target);
        }
        Path kept = stateDir.resolve(H2_FILE + ".h2-backup-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(OffsetDateTime.now(ZoneOffset.UTC)));
        move(h2, kept);
        log.info("moved the H2 store to SQLite ({}): {}; the H2 file is kept as {}", target, moved, kept.getFileName());
        return moved;
    }

    private static String h2Url(Path stateDir) {
        return "jdbc:h2:file:" + stateDir.toAbsolutePath().resolve("relay") + ";IFEXISTS=TRUE";
    }

    private static int copy(Connection from, Connection to, String table) throws SQLException {
        List<String> targetColumns = columns(to, table);
        int rows = 0;
        try (Statement s = from.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Integer> picked = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String name = meta.getColumnLabel(i).toLowerCase(Locale.ROOT);
                if (targetColumns.contains(name)) {
                    picked.add(i);
                    names.add(name);
                }
            }
            String sql = "INSERT INTO " + table + " (" + String.join(", ", names) + ") VALUES ("
                    + String.join(", ", names.stream().map(n -> "?").toList()) + ")";
            try (PreparedStatement insert = to.prepareStatement(sql)) {
                while (rs.next()) {
                    for (int i = 0; i < picked.size(); i++) {
                        insert.setObject(i + 1, portable(rs.getObject(picked.get(i))));
                    }
                    insert.executeUpdate();
                    rows++;
                }
            }
        }
        return rows;
    }

    /** Timestamps as the stores write them (a {@link Timestamp}), whatever type H2 hands back. */
    private static Object portable(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return Timestamp.from(odt.toInstant());
        }
        if (value instanceof java.time.ZonedDateTime zdt) {
            return Timestamp.from(zdt.toInstant());
        }
        return value;
    }

    private static List<String> columns(Connection c, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                names.add(rs.getString("name").toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot rename " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    static void deleteWithCompanions(Path db) {
        for (Path p : SqliteFiles.withCompanions(db)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new IllegalStateException("cannot delete " + p + ": " + e.getMessage(), e);
            }
        }
    }
}
