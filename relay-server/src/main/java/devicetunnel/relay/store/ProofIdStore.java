package devicetunnel.relay.store;

import javax.sql.DataSource;

/**
 * Device proof ids seen by any relay of a cluster. The primary key does the work: a second insert
 * of the same (device, id) changes no row, whichever relay tries it, so a replay is refused
 * cluster-wide with one statement and no lock.
 */
public final class ProofIdStore {
    private final Jdbc jdbc;

    public ProofIdStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    /** Records the id; false when some relay recorded it before (a replay). */
    public boolean firstUse(String deviceId, String jti, long keepUntilMillis) {
        return jdbc.update("INSERT INTO cluster_proof_ids (device_id, jti, keep_until) VALUES (?, ?, ?) "
                + "ON CONFLICT (device_id, jti) DO NOTHING", deviceId, jti, keepUntilMillis) == 1;
    }

    /** Forgets ids of proofs that could no longer pass anyway; returns how many. */
    public int purge(long nowMillis) {
        return jdbc.update("DELETE FROM cluster_proof_ids WHERE keep_until < ?", nowMillis);
    }
}
