package devicetunnel.relay.store;

import java.time.Instant;
import java.util.Map;

/** A registered device. {@code hostKey} is its SSH host public key (OpenSSH line), pinned at first contact. */
public record Device(String id, String name, Map<String, String> labels, String tokenHash, String hostKey,
                     Status status, Instant lastSeen) {

    public enum Status { ACCEPTED, PENDING, REVOKED }
}
