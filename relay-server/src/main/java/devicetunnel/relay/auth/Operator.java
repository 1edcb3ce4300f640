package devicetunnel.relay.auth;

import devicetunnel.relay.store.User;
import java.time.Instant;

/** The authenticated caller of an API request or websocket. */
public record Operator(String username, User.Role role, Instant expiresAt) {
    public boolean isAdmin() {
        return role == User.Role.ADMIN;
    }
}
