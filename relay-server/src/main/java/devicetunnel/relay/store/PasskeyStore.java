package devicetunnel.relay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * WebAuthn credentials (passkeys). Only public keys live here: nothing in a row lets anyone sign in.
 * Rows older than the account holding the name are ignored, like TOTP factors.
 */
public final class PasskeyStore {
    /** {@code credential}: base64 attested credential data; {@code signCount}: the last counter seen. */
    public record Passkey(String id, String credentialId, String username, String userHandle, String name,
                          String credential, long signCount, Instant createdAt, Instant lastUsedAt) {}

    private static final String COLUMNS = "c.id, c.credential_id, c.username, c.user_handle, c.name, c.credential, "
            + "c.sign_count, c.created_at, c.last_used_at, u.created_at AS user_created";
    private static final String FROM = " FROM webauthn_credentials c JOIN users u ON u.username = c.username";

    private final Jdbc jdbc;

    public PasskeyStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public void add(Passkey key) {
        jdbc.update("INSERT INTO webauthn_credentials (id, credential_id, username, user_handle, name, credential, "
                        + "sign_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                key.id(), key.credentialId(), key.username(), key.userHandle(), key.name(), key.credential(),
                key.signCount(), key.createdAt().toEpochMilli());
    }

    public List<Passkey> list(String username) {
        return live(jdbc.query("SELECT " + COLUMNS + FROM + " WHERE c.username = ? ORDER BY c.created_at",
                PasskeyStore::row, username));
    }

    public Optional<Passkey> findByCredentialId(String credentialId) {
        return live(jdbc.query("SELECT " + COLUMNS + FROM + " WHERE c.credential_id = ?", PasskeyStore::row, credentialId))
                .stream().findFirst();
    }

    /** Any credential id of the store, live or not: a new registration must not reuse one. */
    public boolean credentialIdTaken(String credentialId) {
        return !jdbc.query("SELECT 1 FROM webauthn_credentials WHERE credential_id = ?", rs -> 1, credentialId).isEmpty();
    }

    /**
     * Moves the sign counter from {@code seen} to {@code next} and notes the use; false when another
     * assertion moved it meanwhile (two relays racing with one replayed assertion: one wins).
     */
    public boolean advance(String id, long seen, long next, Instant now) {
        return jdbc.update("UPDATE webauthn_credentials SET sign_count = ?, last_used_at = ? WHERE id = ? AND sign_count = ?",
                next, now.toEpochMilli(), id, seen) == 1;
    }

    public boolean remove(String username, String id) {
        return jdbc.update("DELETE FROM webauthn_credentials WHERE username = ? AND id = ?", username, id) == 1;
    }

    /** Every credential of the account, for an admin's reset. */
    public int removeAll(String username) {
        return jdbc.update("DELETE FROM webauthn_credentials WHERE username = ?", username);
    }

    private static List<Passkey> live(List<Passkey> rows) {
        return rows.stream().filter(p -> p != null).toList();
    }

    private static Passkey row(ResultSet rs) throws SQLException {
        Instant created = Instant.ofEpochMilli(rs.getLong("created_at"));
        Instant userCreated = Jdbc.instant(rs, "user_created");
        if (userCreated != null && created.isBefore(userCreated)) {
            return null;
        }
        long lastUsed = rs.getLong("last_used_at");
        return new Passkey(rs.getString("id"), rs.getString("credential_id"), rs.getString("username"),
                rs.getString("user_handle"), rs.getString("name"), rs.getString("credential"), rs.getLong("sign_count"),
                created, rs.wasNull() ? null : Instant.ofEpochMilli(lastUsed));
    }
}
