package devicetunnel.relay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Enrolled devices, their status and pinned host keys. */
public final class DeviceStore {
    private static final String COLUMNS = "id, name, labels, host_key, status, last_seen";
    private final Jdbc jdbc;

    public DeviceStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public Optional<Device> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM devices WHERE id = ?", DeviceStore::map, id).stream().findFirst();
    }

    public List<Device> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM devices ORDER BY name, id", DeviceStore::map);
    }

    public List<Device> list(Device.Status status) {
        return jdbc.query("SELECT " + COLUMNS + " FROM devices WHERE status = ? ORDER BY name, id", DeviceStore::map,
                status.name());
    }

    /** Adds a device enrolled with the given enrollment token id; false when the id is taken (even in a race). */
    public boolean add(Device device, String enrolledWith) {
        if (find(device.id()).isPresent()) {
            return false;
        }
        try {
            jdbc.update("INSERT INTO devices (id, name, labels, host_key, status, enrolled_with, created_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    device.id(), device.name(), Labels.format(device.labels()), device.hostKey(),
                    device.status().name(), enrolledWith, Instant.now());
            return true;
        } catch (StoreException e) {
            if (find(device.id()).isPresent()) {
                return false; // lost a race for the same id: the primary key said no
            }
            throw e;
        }
    }

    public void setHostKey(String id, String hostKey) {
        jdbc.update("UPDATE devices SET host_key = ? WHERE id = ?", hostKey, id);
    }

    /** Returns whether the device exists. */
    public boolean setLabels(String id, java.util.Map<String, String> labels) {
        return jdbc.update("UPDATE devices SET labels = ? WHERE id = ?", Labels.format(labels), id) == 1;
    }

    /** Returns whether the device exists. */
    public boolean setStatus(String id, Device.Status status) {
        return jdbc.update("UPDATE devices SET status = ? WHERE id = ?", status.name(), id) == 1;
    }

    /** Many devices' last-seen times in one transaction (one commit, whatever the count). */
    public void touchAll(java.util.Map<String, Instant> seen) {
        if (seen.isEmpty()) {
            return;
        }
        jdbc.transaction(tx -> {
            for (var e : seen.entrySet()) {
                tx.update("UPDATE devices SET last_seen = ? WHERE id = ?", e.getValue(), e.getKey());
            }
            return null;
        });
    }

    public boolean remove(String id) {
        return jdbc.update("DELETE FROM devices WHERE id = ?", id) == 1;
    }

    private static Device map(ResultSet rs) throws SQLException {
        return new Device(rs.getString("id"), rs.getString("name"), Labels.parse(rs.getString("labels")),
                rs.getString("host_key"), Device.Status.valueOf(rs.getString("status")),
                Jdbc.instant(rs, "last_seen"));
    }
}
