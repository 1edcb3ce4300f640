package devicetunnel.relay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Registered devices, their credential hashes and pinned host keys. */
public final class DeviceStore {
    private static final String COLUMNS = "id, name, labels, token_hash, host_key, status, last_seen";
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

    /** Adds a device; false when the id is taken. */
    public boolean add(Device device) {
        if (find(device.id()).isPresent()) {
            return false;
        }
        jdbc.update("INSERT INTO devices (id, name, labels, token_hash, host_key, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                device.id(), device.name(), Labels.format(device.labels()), device.tokenHash(), device.hostKey(),
                device.status().name(), Instant.now());
        return true;
    }

    /** Pins the host key if none is on record yet (trust on first use); returns whether it pinned. */
    public boolean pinHostKeyIfAbsent(String id, String hostKey) {
        return jdbc.update("UPDATE devices SET host_key = ? WHERE id = ? AND host_key IS NULL", hostKey, id) == 1;
    }

    public void setHostKey(String id, String hostKey) {
        jdbc.update("UPDATE devices SET host_key = ? WHERE id = ?", hostKey, id);
    }

    public void setStatus(String id, Device.Status status) {
        jdbc.update("UPDATE devices SET status = ? WHERE id = ?", status.name(), id);
    }

    public void setTokenHash(String id, String tokenHash) {
        jdbc.update("UPDATE devices SET token_hash = ? WHERE id = ?", tokenHash, id);
    }

    public void touch(String id, Instant seen) {
        jdbc.update("UPDATE devices SET last_seen = ? WHERE id = ?", seen, id);
    }

    public boolean remove(String id) {
        return jdbc.update("DELETE FROM devices WHERE id = ?", id) == 1;
    }

    private static Device map(ResultSet rs) throws SQLException {
        return new Device(rs.getString("id"), rs.getString("name"), Labels.parse(rs.getString("labels")),
                rs.getString("token_hash"), rs.getString("host_key"), Device.Status.valueOf(rs.getString("status")),
                Jdbc.instant(rs, "last_seen"));
    }
}
