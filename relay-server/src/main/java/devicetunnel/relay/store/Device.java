package devicetunnel.relay.store;

import java.time.Instant;
import java.util.Map;

/**
 * A device known to the relay. {@code hostKey} is its SSH host public key (OpenSSH line), pinned at
 * enrollment: the device proves possession of it on every connection and the relay's SSH client
 * accepts no other.
 */
public record Device(String id, String name, Map<String, String> labels, String hostKey, Status status,
                     Instant lastSeen) {

    public enum Status { ACCEPTED, PENDING, REVOKED }
}
