package devicetunnel.relay.auth;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.JdkKeys;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.PrematureJwtException;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Date;

/**
 * Checks a device's proof of possession: a JWT signed (EdDSA) with the host key pinned at
 * enrollment, for this relay ({@code aud}), about this device ({@code sub}), living at most a
 * minute, with a {@code jti} never seen before ({@link ProofIds}: this relay's memory, or shared by
 * a cluster). Seen ids are kept until the proof could no longer pass anyway, so a captured proof
 * cannot be replayed and what is kept stays bounded by the rate devices connect.
 */
public final class DeviceProofs {
    /**
     * Bouncy Castle's Ed25519 verifies a proof in ~0.15 ms of CPU, the JDK's in ~1 ms (measured here):
     * every device of a dead relay reconnects to the survivors at once, so this is on the hot path.
     * Used for these verifications only, not registered JVM-wide.
     */
    private static final java.security.Provider SIGNATURES = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private static final int SKEW_SECONDS = 30;
    private static final int MAX_PROOF_CHARS = 2048;

    private final Clock clock;
    private final ProofIds seen;

    /** A single relay: ids kept in memory. */
    public DeviceProofs(Clock clock) {
        this(clock, new LocalProofIds(clock));
    }

    public DeviceProofs(Clock clock, ProofIds seen) {
        this.clock = clock;
        this.seen = seen;
    }

    /** Throws a 401 {@link TunnelException} (with a reason fit for the audit log) unless the proof holds. */
    public void verify(String deviceId, String proof, String pinnedHostKey) {
        if (proof == null || proof.isBlank() || proof.length() > MAX_PROOF_CHARS) {
            throw refused("missing or oversized device proof");
        }
        PublicKey key;
        try {
            key = JdkKeys.ed25519(JdkKeys.parseOpenSsh(pinnedHostKey));
        } catch (RuntimeException e) {
            throw refused("the pinned host key is not an Ed25519 key");
        }
        Claims claims;
        try {
            claims = Jwts.parser()
                    .provider(SIGNATURES)
                    .verifyWith(key)
                    .requireSubject(deviceId)
                    .requireAudience(Protocol.PROOF_AUDIENCE)
                    .clock(() -> Date.from(clock.instant()))
                    .clockSkewSeconds(SKEW_SECONDS)
                    .build()
                    .parseSignedClaims(proof)
                    .getPayload();
        } catch (ExpiredJwtException e) {
            throw refused("expired device proof");
        } catch (PrematureJwtException e) {
            throw refused("device proof not valid yet");
        } catch (JwtException | IllegalArgumentException e) {
            throw refused("device proof does not verify against the enrolled host key");
        }
        Date issued = claims.getIssuedAt();
        Date expires = claims.getExpiration();
        String jti = claims.getId();
        if (issued == null || expires == null || jti == null || jti.isBlank() || jti.length() > 128) {
            throw refused("device proof lacks iat, exp or jti");
        }
        if (issued.toInstant().isAfter(clock.instant().plusSeconds(SKEW_SECONDS))) {
            throw refused("device proof not valid yet");
        }
        if (expires.getTime() - issued.getTime() > Protocol.PROOF_MAX_LIFETIME_SECONDS * 1000L) {
            throw refused("device proof lives longer than " + Protocol.PROOF_MAX_LIFETIME_SECONDS + " s");
        }
        // Last: only a proof that verifies costs a write to a shared store.
        if (!seen.firstUse(deviceId, jti, expires.toInstant().plusSeconds(SKEW_SECONDS))) {
            throw refused("replayed device proof");
        }
    }

    private static TunnelException refused(String reason) {
        return new TunnelException(ErrorCode.UNAUTHORIZED, reason);
    }
}
