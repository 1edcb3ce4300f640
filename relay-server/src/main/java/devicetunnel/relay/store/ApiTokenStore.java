package devicetunnel.relay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * API tokens: one row per token, found by its id. Rows of a removed account, or older than the
 * account that now has the name, are never returned, so a re-created user does not inherit tokens.
 */
public final class ApiTokenStore {
    /** A token as stored; {@code secretHash} is the keyed hash of its secret, never the secret. */
    public record Row(String id, String username, String name, List<String> scopes, String secretHash,
                      Instant createdAt, Instant expiresAt, Instant lastUsedAt) {}

    private static final String COLUMNS = "t.id, t.username, t.name, t.scopes, t.secret_hash, t.created_at, t.expires_at, "
            + "t.last_used_at, u.created_at AS user_created";
    private static final String FROM = " FROM api_tokens t JOIN users u ON u.username = t.username ";

    private final Jdbc jdbc;

    public ApiTokenStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public void add(Row row) {
        jdbc.update("INSERT INTO api_tokens (id, username, name, scopes, secret_hash, created_at, expires_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)", row.id(), row.username(), row.name(),
                String.join(" ", row.scopes()), row.secretHash(), row.createdAt().toEpochMilli(),
                row.expiresAt().toEpochMilli());
    }

    public Optional<Row> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + FROM + "WHERE t.id = ?", ApiTokenStore::row, id).stream()
                .filter(r -> r != null).findFirst();
    }

    /** Every token of {@code username}, or of everyone when it is null; newest first. */
    public List<Row> list(String username) {
        List<Row> rows = username == null
                ? jdbc.query("SELECT " + COLUMNS + FROM + "ORDER BY t.created_at DESC", ApiTokenStore::row)
                : jdbc.query("SELECT " + COLUMNS + FROM + "WHERE t.username = ? ORDER BY t.created_at DESC",
                        ApiTokenStore::row, username);
        return rows.stream().filter(r -> r != null).toList();
    }

    public boolean remove(String id) {
        return jdbc.update("DELETE FROM api_tokens WHERE id = ?", id) == 1;
    }

    public void touch(String id, Instant usedAt) {
        jdbc.update("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", usedAt.toEpochMilli(), id);
    }

    /** Null for a row older than its account (a previous holder of the name). */
    private static Row row(ResultSet rs) throws SQLException {
        Instant created = Instant.ofEpochMilli(rs.getLong("created_at"));
        Instant userCreated = Jdbc.instant(rs, "user_created");
        if (userCreated != null && created.isBefore(userCreated)) {
            return null;
        }
        long lastUsed = rs.getLong("last_used_at");
        Instant lastUsedAt = rs.wasNull() ? null : Instant.ofEpochMilli(lastUsed);
        String scopes = rs.getString("scopes");
        return new Row(rs.getString("id"), rs.getString("username"), rs.getString("name"),
                scopes.isBlank() ? List.of() : List.of(scopes.split(" ")), rs.getString("secret_hash"), created,
                Instant.ofEpochMilli(rs.getLong("expires_at")), lastUsedAt);
    }
}
