package devicetunnel.relay.auth;

import devicetunnel.relay.store.User;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * The authenticated caller of an API request or websocket. {@code tokenVersion} is the version its
 * token carried ({@code TokenService.UNVERSIONED} for an external issuer's and for API tokens):
 * sessions opened with it end when the user's version moves on. {@code role} is what the caller acts
 * with: the user's role, or less for an API token ({@code apiTokenId} set, {@code scopes} its scopes).
 * {@code enrolOnly}: the role requires a second factor the user has not set up yet, so this login may
 * only enrol one. {@code factorAt}: when this login's second factor was last checked (null: never, or
 * not a login of this relay), for step-up.
 */
public record Operator(String username, User.Role role, Instant expiresAt, long tokenVersion, String apiTokenId,
                       Set<Scope> scopes, boolean enrolOnly, Instant factorAt) {

    public Operator(String username, User.Role role, Instant expiresAt, long tokenVersion, String apiTokenId,
                    Set<Scope> scopes, boolean enrolOnly) {
        this(username, role, expiresAt, tokenVersion, apiTokenId, scopes, enrolOnly, null);
    }

    /** A full login (every scope the role allows). */
    public Operator(String username, User.Role role, Instant expiresAt, long tokenVersion) {
        this(username, role, expiresAt, tokenVersion, null, EnumSet.allOf(Scope.class), false);
    }

    public boolean isAdmin() {
        return role == User.Role.ADMIN;
    }

    public boolean viaApiToken() {
        return apiTokenId != null;
    }
}
