package devicetunnel.relay.auth;

import devicetunnel.relay.store.User;
import java.time.Instant;

/**
 * The authenticated caller of an API request or websocket. {@code tokenVersion} is the version its
 * token carried ({@code TokenService.UNVERSIONED} for an external issuer's): sessions opened with it
 * end when the user's version moves on.
 */
public record Operator(String username, User.Role role, Instant expiresAt, long tokenVersion) {
    public boolean isAdmin() {
        return role == User.Role.ADMIN;
    }
}
