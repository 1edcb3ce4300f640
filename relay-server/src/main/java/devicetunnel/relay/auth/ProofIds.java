package devicetunnel.relay.auth;

import java.time.Instant;

/**
 * Where the ids of device proofs already used are kept until those proofs expire: in this relay's
 * memory ({@link LocalProofIds}) or, in a cluster, shared by every relay, so a proof captured on
 * its way to one relay is refused by all of them.
 */
public interface ProofIds {
    /** Records the id; false when it was used before (a replay). */
    boolean firstUse(String deviceId, String jti, Instant keepUntil);
}
