package devicetunnel.relay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * TOTP factors and recovery codes. Secrets arrive here encrypted and codes hashed; this class never
 * sees either in clear. Rows older than the account holding the name are ignored, like API tokens.
 */
public final class TotpStore {
    /** {@code lastStep}: the newest TOTP time step accepted (codes of it and older are refused). */
    public record Factor(String username, String encryptedSecret, boolean confirmed, long lastStep) {}

    private final Jdbc jdbc;

    public TotpStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public Optional<Factor> find(String username) {
        return jdbc.query("SELECT f.username, f.secret_enc, f.confirmed, f.last_step, f.created_at, u.created_at AS user_created"
                        + " FROM totp_factors f JOIN users u ON u.username = f.username WHERE f.username = ?",
                TotpStore::factor, username).stream().filter(f -> f != null).findFirst();
    }

    /**
     * Starts (or restarts) an unconfirmed enrolment, dropping any earlier factor and codes of the
     * name; the caller refuses first when a confirmed factor exists.
     */
    public void begin(String username, String encryptedSecret, Instant now) {
        jdbc.transaction(tx -> {
            tx.update("DELETE FROM totp_factors WHERE username = ?", username);
            tx.update("DELETE FROM recovery_codes WHERE username = ?", username);
            return tx.update("INSERT INTO totp_factors (username, secret_enc, confirmed, created_at, last_step) "
                    + "VALUES (?, ?, ?, ?, ?)", username, encryptedSecret, false, now.toEpochMilli(), 0L);
        });
    }

    /** Confirms the pending factor and stores its recovery codes, in one transaction. */
    public boolean confirm(String username, long step, List<String> codeHashes, Instant now) {
        return jdbc.transaction(tx -> {
            if (tx.update("UPDATE totp_factors SET confirmed = ?, last_step = ? WHERE username = ? AND confirmed = ?",
                    true, step, username, false) != 1) {
                return false;
            }
            tx.update("DELETE FROM recovery_codes WHERE username = ?", username);
            for (String hash : codeHashes) {
                tx.update("INSERT INTO recovery_codes (username, code_hash, created_at) VALUES (?, ?, ?)",
                        username, hash, now.toEpochMilli());
            }
            return true;
        });
    }

    /**
     * Records that a code of {@code step} was accepted, unless one of that step or a newer one was
     * already: the compare-and-set makes a replayed code fail even when two relays race.
     */
    public boolean acceptStep(String username, long step) {
        return jdbc.update("UPDATE totp_factors SET last_step = ? WHERE username = ? AND last_step < ?",
                step, username, step) == 1;
    }

    /** Uses up a recovery code; false when there is no such unused code. */
    public boolean useRecoveryCode(String username, String codeHash, Instant now) {
        return jdbc.update("UPDATE recovery_codes SET used_at = ? WHERE username = ? AND code_hash = ? AND used_at IS NULL",
                now.toEpochMilli(), username, codeHash) == 1;
    }

    public int unusedRecoveryCodes(String username) {
        return jdbc.query("SELECT COUNT(*) FROM recovery_codes WHERE username = ? AND used_at IS NULL",
                rs -> rs.getInt(1), username).get(0);
    }

    /** Removes the factor and its recovery codes; false when there was none. */
    public boolean remove(String username) {
        return jdbc.transaction(tx -> {
            tx.update("DELETE FROM recovery_codes WHERE username = ?", username);
            return tx.update("DELETE FROM totp_factors WHERE username = ?", username) == 1;
        });
    }

    /**
     * Checks that the factors in this store were sealed with the key of this fingerprint, recording
     * it when none is recorded or no factor exists yet; throws when factors exist under another key.
     */
    public void checkKey(String fingerprint) {
        jdbc.transaction(tx -> {
            List<String> recorded = tx.query("SELECT fingerprint FROM identity_keys WHERE name = ?", rs -> rs.getString(1), "totp");
            if (!recorded.isEmpty() && recorded.get(0).equals(fingerprint)) {
                return null;
            }
            int factors = tx.query("SELECT COUNT(*) FROM totp_factors", rs -> rs.getInt(1)).get(0);
            if (!recorded.isEmpty() && factors > 0) {
                throw new IllegalStateException("the TOTP factors in this store were sealed with another TOTP key: start "
                        + "every relay with the same totp.key (--totp-key-file); if that key is lost, remove each "
                        + "factor with `relay-server user reset-mfa NAME` first");
            }
            if (recorded.isEmpty()) {
                tx.update("INSERT INTO identity_keys (name, fingerprint) VALUES (?, ?)", "totp", fingerprint);
            } else {
                tx.update("UPDATE identity_keys SET fingerprint = ? WHERE name = ?", fingerprint, "totp");
            }
            return null;
        });
    }

    private static Factor factor(ResultSet rs) throws SQLException {
        Instant created = Instant.ofEpochMilli(rs.getLong("created_at"));
        Instant userCreated = Jdbc.instant(rs, "user_created");
        if (userCreated != null && created.isBefore(userCreated)) {
            return null;
        }
        return new Factor(rs.getString("username"), rs.getString("secret_enc"), rs.getBoolean("confirmed"),
                rs.getLong("last_step"));
    }
}
