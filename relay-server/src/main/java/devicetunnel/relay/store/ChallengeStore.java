package devicetunnel.relay.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Challenges of WebAuthn ceremonies under way. Taking one deletes it in the same transaction, so a
 * challenge answers one ceremony only, even when two relays race; expired rows are never returned
 * and are swept whenever a new one is stored.
 */
public final class ChallengeStore {
    /** {@code username}: whose ceremony it is; null for a passwordless login (the key says whose). */
    public record Challenge(String id, String purpose, String username, String challenge, Instant expiresAt) {}

    private final Jdbc jdbc;

    public ChallengeStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public void put(Challenge c, Instant now) {
        jdbc.transaction(tx -> {
            tx.update("DELETE FROM webauthn_challenges WHERE expires_at <= ?", now.toEpochMilli());
            return tx.update("INSERT INTO webauthn_challenges (id, purpose, username, challenge, expires_at) VALUES (?, ?, ?, ?, ?)",
                    c.id(), c.purpose(), c.username(), c.challenge(), c.expiresAt().toEpochMilli());
        });
    }

    /** The challenge, deleted as it is read; empty when unknown, already taken or expired. */
    public Optional<Challenge> take(String id, Instant now) {
        return jdbc.transaction(tx -> {
            List<Challenge> rows = tx.query("SELECT id, purpose, username, challenge, expires_at FROM webauthn_challenges WHERE id = ?",
                    rs -> new Challenge(rs.getString("id"), rs.getString("purpose"), rs.getString("username"),
                            rs.getString("challenge"), Instant.ofEpochMilli(rs.getLong("expires_at"))), id);
            if (rows.isEmpty() || tx.update("DELETE FROM webauthn_challenges WHERE id = ?", id) != 1) {
                return Optional.<Challenge>empty();
            }
            return Optional.of(rows.get(0)).filter(c -> c.expiresAt().isAfter(now));
        });
    }
}
