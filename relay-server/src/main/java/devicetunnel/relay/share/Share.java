package devicetunnel.relay.share;

import devicetunnel.relay.ssh.Watcher;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An owner's permission for others to look at one terminal session: by link (anyone logged in
 * who holds the token, until {@code expiresAt}) or for one named user (whose label scope must
 * cover the device). Only the token's SHA-256 is kept.
 *
 * @param user      the one user it is for; null for a link
 * @param tokenHash SHA-256 of the link's token; null for a share by user
 * @param expiresAt when the link stops admitting; null: while the session lasts
 */
public record Share(String id, String sessionId, String deviceId, String owner, Watcher.Mode mode, String user,
                    byte[] tokenHash, Instant expiresAt) {

    public boolean isLink() {
        return tokenHash != null;
    }

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** As the API shows it (never the token). */
    public Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("sessionId", sessionId);
        v.put("deviceId", deviceId);
        v.put("owner", owner);
        v.put("mode", mode.wire());
        v.put("kind", isLink() ? "link" : "user");
        if (user != null) {
            v.put("user", user);
        }
        v.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
        return v;
    }
}
