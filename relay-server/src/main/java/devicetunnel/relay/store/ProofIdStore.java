package devicetunnel.relay.store;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Device proof ids seen by any relay of a cluster. The primary key does the work: a second insert
 * of the same (device, id) changes no row, whichever relay tries it, so a replay is refused
 * cluster-wide with one statement and no lock.
 */
public final class ProofIdStore {
    /** One proof's id, and how long it must be kept. */
    public record ProofId(String deviceId, String jti, long keepUntilMillis) {}

    private final Jdbc jdbc;

    public ProofIdStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    /**
     * Records many ids in one statement (one commit); returns those no relay recorded before.
     * Ids must be distinct within one call.
     */
    public Set<ProofId> firstUses(List<ProofId> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        StringBuilder sql = new StringBuilder("INSERT INTO cluster_proof_ids (device_id, jti, keep_until) VALUES ");
        Object[] params = new Object[ids.size() * 3];
        for (int i = 0; i < ids.size(); i++) {
            sql.append(i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)");
            ProofId id = ids.get(i);
            params[3 * i] = id.deviceId();
            params[3 * i + 1] = id.jti();
            params[3 * i + 2] = id.keepUntilMillis();
        }
        sql.append(" ON CONFLICT (device_id, jti) DO NOTHING RETURNING device_id, jti");
        Set<List<String>> inserted = new HashSet<>(jdbc.query(sql.toString(), rs -> List.of(rs.getString(1), rs.getString(2)), params));
        Set<ProofId> first = new HashSet<>();
        for (ProofId id : ids) {
            if (inserted.contains(List.of(id.deviceId(), id.jti()))) {
                first.add(id);
            }
        }
        return first;
    }

    /** Forgets ids of proofs that could no longer pass anyway; returns how many. */
    public int purge(long nowMillis) {
        return jdbc.update("DELETE FROM cluster_proof_ids WHERE keep_until < ?", nowMillis);
    }
}
