package devicetunnel.relay.store;

import java.time.Instant;
import java.util.Map;

/**
 * What an admin handed out so devices can enroll. Only the token's hash is kept; {@code labels} are
 * given to every device enrolled with it (so label-limited operators see them at once).
 */
public record EnrollmentToken(String id, boolean reusable, boolean autoAccept, Map<String, String> labels,
                              Instant expiresAt, String createdBy, Instant createdAt, int uses, boolean revoked) {

    /** Whether a device may still enroll with it at {@code now}. */
    public boolean usableAt(Instant now) {
        return !revoked && now.isBefore(expiresAt) && (reusable || uses == 0);
    }
}
