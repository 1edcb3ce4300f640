package devicetunnel.relay.store;

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

    public Optional<User> find(String username) {
        return jdbc.query("SELECT username, password_hash, role, allowed_labels FROM users WHERE username = ?",
                rs -> new User(rs.getString(1), rs.getString(2), User.Role.valueOf(rs.getString(3)),
                        Labels.parse(rs.getString(4))), username).stream().findFirst();
    }

    public List<User> list() {
        return jdbc.query("SELECT username, password_hash, role, allowed_labels FROM users ORDER BY username",
                rs -> new User(rs.getString(1), rs.getString(2), User.Role.valueOf(rs.getString(3)),
                        Labels.parse(rs.getString(4))));
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

    public boolean setPasswordHash(String username, String passwordHash) {
        return jdbc.update("UPDATE users SET password_hash = ? WHERE username = ?", passwordHash, username) == 1;
    }

    public boolean remove(String username) {
        return jdbc.update("DELETE FROM users WHERE username = ?", username) == 1;
    }
}
