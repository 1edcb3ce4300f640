package devicetunnel.relay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Enrollment tokens, stored as SHA-256 hashes of their 256-bit secrets. */
public final class EnrollmentStore {
    private static final String COLUMNS =
            "id, reusable, auto_accept, labels, expires_at, created_by, created_at, uses, revoked";
    private final Jdbc jdbc;

    public EnrollmentStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public void add(EnrollmentToken token, String tokenHash) {
        jdbc.update("INSERT INTO enrollment_tokens (id, token_hash, reusable, auto_accept, labels, expires_at, "
                        + "created_by, created_at, uses, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, FALSE)",
                token.id(), tokenHash, token.reusable(), token.autoAccept(), Labels.format(token.labels()),
                token.expiresAt(), token.createdBy(), token.createdAt());
    }

    public Optional<EnrollmentToken> findByHash(String tokenHash) {
        return jdbc.query("SELECT " + COLUMNS + " FROM enrollment_tokens WHERE token_hash = ?",
                EnrollmentStore::map, tokenHash).stream().findFirst();
    }

    public Optional<EnrollmentToken> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM enrollment_tokens WHERE id = ?", EnrollmentStore::map, id)
                .stream().findFirst();
    }

    public List<EnrollmentToken> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM enrollment_tokens ORDER BY created_at DESC, id",
                EnrollmentStore::map);
    }

    /**
     * Counts one use if the token is still usable at {@code now}. A single conditional UPDATE, so two
     * devices racing for a one-time token cannot both win.
     */
    public boolean consume(String id, Instant now) {
        return jdbc.update("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ? AND revoked = FALSE "
                + "AND expires_at > ? AND (reusable = TRUE OR uses = 0)", id, now) == 1;
    }

    public boolean revoke(String id) {
        return jdbc.update("UPDATE enrollment_tokens SET revoked = TRUE WHERE id = ?", id) == 1;
    }

    private static EnrollmentToken map(ResultSet rs) throws SQLException {
        return new EnrollmentToken(rs.getString("id"), rs.getBoolean("reusable"), rs.getBoolean("auto_accept"),
                Labels.parse(rs.getString("labels")), Jdbc.instant(rs, "expires_at"), rs.getString("created_by"),
                Jdbc.instant(rs, "created_at"), rs.getInt("uses"), rs.getBoolean("revoked"));
    }
}
