package devicetunnel.relay.store;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Each user's saved filters of the console's device list: a name and the filter words. Saving under
 * a name the user already has replaces that filter. Rows older than the account holding the name are
 * ignored and swept at the account's next save: a re-created account starts with none.
 */
public final class DeviceFilterStore {
    public record DeviceFilter(String id, String name, String filter, Instant createdAt) {}

    public enum Outcome { CREATED, REPLACED, FULL }

    /** {@code filter} is null when the user already has {@code max} filters. */
    public record Saved(Outcome outcome, DeviceFilter filter) {}

    private static final String COLUMNS = "f.id, f.name, f.filter, f.created_at, u.created_at AS user_created";
    private static final String FROM = " FROM device_filters f JOIN users u ON u.username = f.username";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbc jdbc;

    public DeviceFilterStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    /** The user's filters, by name. */
    public List<DeviceFilter> list(String username) {
        return jdbc.query("SELECT " + COLUMNS + FROM + " WHERE f.username = ? ORDER BY f.name", DeviceFilterStore::row,
                username).stream().filter(Objects::nonNull).toList();
    }

    /** Saves {@code filter} under {@code name}: replaces the user's filter of that name, or adds one if fewer than {@code max}. */
    public Saved save(String username, String name, String filter, int max, Instant now) {
        return jdbc.transaction(tx -> {
            List<Instant> account = tx.query("SELECT created_at FROM users WHERE username = ?",
                    rs -> Jdbc.instant(rs, "created_at"), username);
            if (account.isEmpty()) {
                throw new IllegalStateException("no account " + username);
            }
            tx.update("DELETE FROM device_filters WHERE username = ? AND created_at < ?", username,
                    account.get(0).toEpochMilli());
            if (tx.update("UPDATE device_filters SET filter = ? WHERE username = ? AND name = ?", filter, username, name) == 1) {
                DeviceFilter kept = tx.query("SELECT " + COLUMNS + FROM + " WHERE f.username = ? AND f.name = ?",
                        DeviceFilterStore::row, username, name).get(0);
                return new Saved(Outcome.REPLACED, kept);
            }
            long count = tx.query("SELECT COUNT(*) FROM device_filters WHERE username = ?", rs -> rs.getLong(1), username)
                    .get(0);
            if (count >= max) {
                return new Saved(Outcome.FULL, null);
            }
            DeviceFilter added = new DeviceFilter(HexFormat.of().formatHex(randomBytes()), name, filter,
                    Instant.ofEpochMilli(now.toEpochMilli()));
            tx.update("INSERT INTO device_filters (id, username, name, filter, created_at) VALUES (?, ?, ?, ?, ?)",
                    added.id(), username, name, filter, added.createdAt().toEpochMilli());
            return new Saved(Outcome.CREATED, added);
        });
    }

    /** False when the user has no filter with that id. */
    public boolean remove(String username, String id) {
        return jdbc.update("DELETE FROM device_filters WHERE username = ? AND id = ?", username, id) == 1;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static DeviceFilter row(ResultSet rs) throws SQLException {
        Instant created = Instant.ofEpochMilli(rs.getLong("created_at"));
        Instant userCreated = Jdbc.instant(rs, "user_created");
        if (userCreated != null && created.toEpochMilli() < userCreated.toEpochMilli()) { // as the sweep compares
            return null;
        }
        return new DeviceFilter(rs.getString("id"), rs.getString("name"), rs.getString("filter"), created);
    }
}
