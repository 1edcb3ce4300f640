package devicetunnel.relay.store;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Operator accounts. */
public final class UserStore {
    private final Jdbc jdbc;

    public UserStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    private static final String COLUMNS = "username, password_hash, role, allowed_labels, token_version";

    public Optional<User> find(String username) {
        return jdbc.query("SELECT " + COLUMNS + " FROM users WHERE username = ?", UserStore::user, username)
                .stream().findFirst();
    }

    /** The caller's own account, read again: 401 when it was removed since the token was issued. */
    public User account(String username) {
        return find(username).orElseThrow(() -> new TunnelException(ErrorCode.UNAUTHORIZED, "Your account no longer exists."));
    }

    public List<User> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM users ORDER BY username", UserStore::user);
    }

    private static User user(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new User(rs.getString(1), rs.getString(2), User.Role.valueOf(rs.getString(3)),
                Labels.parse(rs.getString(4)), rs.getLong(5));
    }

    /** Adds a user; false when the name is taken. */
    public boolean add(User user) {
        if (find(user.username()).isPresent()) {
            return false;
        }
        jdbc.update("INSERT INTO users (username, password_hash, role, allowed_labels, created_at) VALUES (?, ?, ?, ?, ?)",
                user.username(), user.passwordHash(), user.role().name(), Labels.format(user.allowedLabels()), Instant.now());
        return true;
    }

    /** Sets a new password and, in the same statement, ends every token issued under the old one. */
    public boolean setPasswordHash(String username, String passwordHash) {
        return jdbc.update("UPDATE users SET password_hash = ?, token_version = token_version + 1 WHERE username = ?",
                passwordHash, username) == 1;
    }

    /** Ends every token issued to the user so far (logout); false when there is no such user. */
    public boolean revokeTokens(String username) {
        return jdbc.update("UPDATE users SET token_version = token_version + 1 WHERE username = ?", username) == 1;
    }

    /** Sets role and label scope; false when there is no such user. */
    public boolean setRoleAndLabels(String username, User.Role role, java.util.Map<String, String> allowedLabels) {
        return jdbc.update("UPDATE users SET role = ?, allowed_labels = ? WHERE username = ?",
                role.name(), Labels.format(allowedLabels), username) == 1;
    }

    public boolean remove(String username) {
        return jdbc.update("DELETE FROM users WHERE username = ?", username) == 1;
    }
}
