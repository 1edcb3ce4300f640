package devicetunnel.relay.store;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Shared presence of a relay cluster: relay leases and which relay holds each device's link.
 * Writes happen on relay start and every lease renewal (per relay) and on link up/down (per
 * device), never per ping. Times are epoch milliseconds of the writing relay's clock.
 */
public final class ClusterStore {
    /** A relay with a live lease: where its sessions' streams go. */
    public record LiveRelay(String relayId, String advertiseUrl) {}

    private final Jdbc jdbc;

    public ClusterStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    /** Registers (or re-registers, after a restart with the same id) this relay with a fresh lease. */
    public void registerRelay(String relayId, String advertiseUrl, String secretsId, long leaseUntil, long now) {
        jdbc.update("INSERT INTO cluster_relays (relay_id, advertise_url, secrets_id, lease_until, started_at) "
                        + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (relay_id) DO UPDATE SET advertise_url = excluded.advertise_url, "
                        + "secrets_id = excluded.secrets_id, lease_until = excluded.lease_until, started_at = excluded.started_at",
                relayId, advertiseUrl, secretsId, leaseUntil, now);
    }

    /** Live relays other than {@code relayId} whose shared secrets differ from {@code secretsId}. */
    public List<String> relaysWithOtherSecrets(String relayId, String secretsId, long now) {
        return jdbc.query("SELECT relay_id FROM cluster_relays WHERE lease_until > ? AND relay_id <> ? AND secrets_id <> ?",
                rs -> rs.getString(1), now, relayId, secretsId);
    }

    /** @return false when the row is gone (someone removed this relay): the caller registers again */
    public boolean renewLease(String relayId, long leaseUntil) {
        return jdbc.update("UPDATE cluster_relays SET lease_until = ? WHERE relay_id = ?", leaseUntil, relayId) == 1;
    }

    /** A relay that stops cleanly gives its lease and its links up at once instead of letting them expire. */
    public void removeRelay(String relayId) {
        jdbc.update("DELETE FROM cluster_device_links WHERE relay_id = ?", relayId);
        jdbc.update("DELETE FROM cluster_session_slots WHERE relay_id = ?", relayId);
        jdbc.update("DELETE FROM cluster_relays WHERE relay_id = ?", relayId);
    }

    /** Forgets links (and session slots) a previous run of this relay left behind (they died with it). */
    public int clearLinks(String relayId) {
        jdbc.update("DELETE FROM cluster_session_slots WHERE relay_id = ?", relayId);
        return jdbc.update("DELETE FROM cluster_device_links WHERE relay_id = ?", relayId);
    }

    private static final String LINK_UP = "INSERT INTO cluster_device_links (device_id, relay_id, generation, connected_at) "
            + "VALUES (?, ?, 1, ?) ON CONFLICT (device_id) DO UPDATE SET relay_id = excluded.relay_id, "
            + "generation = cluster_device_links.generation + 1, connected_at = excluded.connected_at "
            + "RETURNING generation";
    /** Removes the link row only if it is still this link (a newer link elsewhere stays). */
    private static final String LINK_DOWN =
            "DELETE FROM cluster_device_links WHERE device_id = ? AND relay_id = ? AND generation = ?";

    /** One relay's link rows, written within one transaction. */
    public interface LinkRows {
        /** Records that the relay now holds the device's link; returns the link's generation. */
        long up(String deviceId, long connectedAt) throws SQLException;

        /** Removes the row of the link of that generation, if it is still this relay's. */
        void down(String deviceId, long generation) throws SQLException;
    }

    /** Statements on {@link LinkRows}, in order. */
    public interface LinkWork {
        void run(LinkRows rows) throws SQLException;
    }

    /** Runs {@code work} in one transaction: one commit for any number of link ups and downs. */
    public void writeLinks(String relayId, LinkWork work) {
        jdbc.transaction(tx -> {
            work.run(new LinkRows() {
                @Override
                public long up(String deviceId, long connectedAt) throws SQLException {
                    return tx.query(LINK_UP, rs -> rs.getLong(1), deviceId, relayId, connectedAt).get(0);
                }

                @Override
                public void down(String deviceId, long generation) throws SQLException {
                    tx.update(LINK_DOWN, deviceId, relayId, generation);
                }
            });
            return null;
        });
    }

    /** Records that {@code relayId} now holds the device's link; returns the link's generation. */
    public long linkUp(String deviceId, String relayId, long now) {
        return jdbc.query(LINK_UP, rs -> rs.getLong(1), deviceId, relayId, now).get(0);
    }

    /** Removes the link row only if it is still this link (a newer link elsewhere stays). */
    public void linkDown(String deviceId, String relayId, long generation) {
        jdbc.update(LINK_DOWN, deviceId, relayId, generation);
    }

    /** The live relay holding the device's link, if any. */
    public Optional<LiveRelay> holder(String deviceId, long now) {
        List<LiveRelay> rows = jdbc.query("SELECT r.relay_id, r.advertise_url FROM cluster_device_links l "
                        + "JOIN cluster_relays r ON r.relay_id = l.relay_id WHERE l.device_id = ? AND r.lease_until > ?",
                rs -> new LiveRelay(rs.getString(1), rs.getString(2)), deviceId, now);
        return rows.stream().findFirst();
    }

    /** Every device with a link on a live relay, mapped to that relay's id (one query per device listing). */
    public Map<String, String> onlineDevices(long now) {
        Map<String, String> online = new HashMap<>();
        jdbc.query("SELECT l.device_id, l.relay_id FROM cluster_device_links l "
                        + "JOIN cluster_relays r ON r.relay_id = l.relay_id WHERE r.lease_until > ?",
                rs -> online.put(rs.getString(1), rs.getString(2)), now);
        return online;
    }

    /** Where a live relay with this id advertises itself, if one does. */
    public Optional<String> liveUrlOf(String relayId, long now) {
        return jdbc.query("SELECT advertise_url FROM cluster_relays WHERE relay_id = ? AND lease_until > ?",
                rs -> rs.getString(1), relayId, now).stream().findFirst();
    }

    /** Relays whose lease is live, for /readyz and the docs' "what does the cluster look like". */
    public List<LiveRelay> liveRelays(long now) {
        return jdbc.query("SELECT relay_id, advertise_url FROM cluster_relays WHERE lease_until > ? ORDER BY relay_id",
                rs -> new LiveRelay(rs.getString(1), rs.getString(2)), now);
    }
}
