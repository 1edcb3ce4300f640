package devicetunnel.agent.link;

import devicetunnel.protocol.JdkKeys;
import devicetunnel.protocol.Protocol;
import io.jsonwebtoken.Jwts;
import java.net.http.WebSocket;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * How the agent proves who it is on the control link: its device id, and a fresh short-lived JWT
 * signed with its SSH host key (EdDSA). Nothing long-lived and replayable ever leaves the device;
 * the relay checks the signature against the host key pinned at enrollment.
 */
public final class DeviceCredential {
    public static final Duration PROOF_LIFETIME = Duration.ofSeconds(Protocol.PROOF_MAX_LIFETIME_SECONDS);

    private final String deviceId;
    private final PrivateKey signingKey;
    private final Clock clock;

    public DeviceCredential(String deviceId, KeyPair hostKey, Clock clock) {
        if (!Protocol.isValidDeviceId(deviceId)) {
            throw new IllegalArgumentException("invalid device id: letters, digits, '.', '_' and '-', at most 63");
        }
        this.deviceId = deviceId;
        this.signingKey = JdkKeys.ed25519(hostKey.getPrivate());
        this.clock = clock;
    }

    public String deviceId() {
        return deviceId;
    }

    /** A new proof, valid for a minute from now, never issued before. */
    public String proof() {
        return proof(clock.instant(), PROOF_LIFETIME, UUID.randomUUID().toString());
    }

    /** A proof with explicit times and id (the relay's tests forge expired and replayed ones with it). */
    public String proof(Instant issuedAt, Duration lifetime, String jti) {
        return Jwts.builder()
                .subject(deviceId)
                .audience().add(Protocol.PROOF_AUDIENCE).and()
                .issuedAt(Date.from(issuedAt))
                .expiration(Date.from(issuedAt.plus(lifetime)))
                .id(jti)
                .signWith(signingKey, Jwts.SIG.EdDSA)
                .compact();
    }

    void addTo(WebSocket.Builder builder) {
        builder.header(Protocol.DEVICE_ID_HEADER, deviceId).header("Authorization", "Bearer " + proof());
    }

    @Override
    public String toString() {
        return "DeviceCredential[" + deviceId + "]"; // never print a proof
    }
}
