package devicetunnel.relay.cluster;

import devicetunnel.relay.auth.ProofIds;
import devicetunnel.relay.store.ProofIdStore;
import java.time.Instant;

/**
 * Proof ids shared by every relay of the cluster (PostgreSQL): a proof seen by one relay is a
 * replay on all. Proofs keep the cluster-wide audience, so a device reconnects to any relay behind
 * the balancer with the same kind of proof. A store failure refuses the proof (the device retries).
 */
final class SharedProofIds implements ProofIds {
    private final ProofIdStore store;

    SharedProofIds(ProofIdStore store) {
        this.store = store;
    }

    @Override
    public boolean firstUse(String deviceId, String jti, Instant keepUntil) {
        return store.firstUse(deviceId, jti, keepUntil.toEpochMilli());
    }
}
