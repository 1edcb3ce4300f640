package devicetunnel.relay.store;

import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Open session slots of every relay in a cluster, one row each. Caps count the rows of relays
 * whose lease is live (a dead relay's slots stop counting when its lease runs out). Taking a slot
 * holds PostgreSQL advisory locks on the device and on the operator for its transaction, always in
 * that order, so two relays taking the last slot at once cannot both get it, and cannot deadlock.
 */
public final class SessionSlotStore {
    private static final int DEVICE_LOCKS = 1;
    private static final int OPERATOR_LOCKS = 2;
    private static final String LIVE = " JOIN cluster_relays r ON r.relay_id = s.relay_id WHERE r.lease_until > ? AND ";

    /** Whether a slot was taken, or which cap was full. */
    public enum Outcome { TAKEN, DEVICE_FULL, OPERATOR_FULL }

    private final Jdbc jdbc;

    public SessionSlotStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public Outcome acquire(String slotId, String relayId, String operator, String deviceId, int perDevice,
                           int perOperator, long nowMillis) {
        return jdbc.transaction(tx -> {
            lock(tx, DEVICE_LOCKS, deviceId);
            lock(tx, OPERATOR_LOCKS, operator);
            if (count(tx, "s.device_id = ?", deviceId, nowMillis) >= perDevice) {
                return Outcome.DEVICE_FULL;
            }
            if (count(tx, "s.operator = ?", operator, nowMillis) >= perOperator) {
                return Outcome.OPERATOR_FULL;
            }
            tx.update("INSERT INTO cluster_session_slots (slot_id, relay_id, operator, device_id, opened_at) "
                    + "VALUES (?, ?, ?, ?, ?)", slotId, relayId, operator, deviceId, nowMillis);
            return Outcome.TAKEN;
        });
    }

    public void release(String slotId) {
        jdbc.update("DELETE FROM cluster_session_slots WHERE slot_id = ?", slotId);
    }

    /** Slots the device holds on live relays. */
    public int heldOnDevice(String deviceId, long nowMillis) {
        return jdbc.query("SELECT count(*) FROM cluster_session_slots s" + LIVE + "s.device_id = ?",
                rs -> rs.getInt(1), nowMillis, deviceId).get(0);
    }

    /** Deletes slots of relays whose lease ran out (they died); returns how many. */
    public int purgeDead(long nowMillis) {
        return jdbc.update("DELETE FROM cluster_session_slots WHERE relay_id NOT IN "
                + "(SELECT relay_id FROM cluster_relays WHERE lease_until > ?)", nowMillis);
    }

    private static void lock(Jdbc.Tx tx, int space, String key) throws SQLException {
        tx.query("SELECT pg_advisory_xact_lock(?, hashtext(?))", rs -> 1, space, key);
    }

    private static int count(Jdbc.Tx tx, String condition, String key, long nowMillis) throws SQLException {
        return tx.query("SELECT count(*) FROM cluster_session_slots s" + LIVE + condition, rs -> rs.getInt(1),
                nowMillis, key).get(0);
    }
}
