package devicetunnel.relay.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Rows describing recorded sessions (the recordings themselves are files) and each device's
 * recording policy ({@code off}, {@code on}, {@code required}).
 */
public final class RecordingStore {
    private static final String COLUMNS = "id, session_id, device_id, operator, relay_id, file_name, started_at, ended_at, bytes";
    private final Jdbc jdbc;

    /** {@code endedAt} is null while the session runs (or if its relay died before it could say). */
    public record Entry(String id, String sessionId, String deviceId, String operator, String relayId, String fileName,
                        Instant startedAt, Instant endedAt, long bytes) {}

    /** Optional filters; null means any. {@code limit} caps the rows, newest first. */
    public record Filter(String deviceId, String operator, Instant from, Instant to, int limit) {}

    public RecordingStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public String policy(String deviceId) {
        return jdbc.query("SELECT recording FROM devices WHERE id = ?", rs -> rs.getString(1), deviceId)
                .stream().findFirst().orElse("off");
    }

    /** A device's own recording policy and its labels (which may raise the policy); {@code off} and none for no device. */
    public record DeviceSetting(String policy, Map<String, String> labels) {}

    public DeviceSetting setting(String deviceId) {
        return jdbc.query("SELECT recording, labels FROM devices WHERE id = ?",
                        rs -> new DeviceSetting(rs.getString(1), Labels.parse(rs.getString(2))), deviceId)
                .stream().findFirst().orElse(new DeviceSetting("off", Map.of()));
    }

    public boolean setPolicy(String deviceId, String policy) {
        return jdbc.update("UPDATE devices SET recording = ? WHERE id = ?", policy, deviceId) == 1;
    }

    public void started(Entry e) {
        jdbc.update("INSERT INTO recordings (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0)",
                e.id(), e.sessionId(), e.deviceId(), e.operator(), e.relayId(), e.fileName(), e.startedAt().toEpochMilli());
    }

    public void ended(String id, Instant endedAt, long bytes) {
        jdbc.update("UPDATE recordings SET ended_at = ?, bytes = ? WHERE id = ?", endedAt.toEpochMilli(), bytes, id);
    }

    public Optional<Entry> find(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM recordings WHERE id = ?", RecordingStore::entry, id)
                .stream().findFirst();
    }

    public List<Entry> list(Filter f) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM recordings WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (f.deviceId() != null) {
            sql.append(" AND device_id = ?");
            params.add(f.deviceId());
        }
        if (f.operator() != null) {
            sql.append(" AND operator = ?");
            params.add(f.operator());
        }
        if (f.from() != null) {
            sql.append(" AND started_at >= ?");
            params.add(f.from().toEpochMilli());
        }
        if (f.to() != null) {
            sql.append(" AND started_at < ?");
            params.add(f.to().toEpochMilli());
        }
        sql.append(" ORDER BY started_at DESC LIMIT ").append(Math.max(1, f.limit()));
        return jdbc.query(sql.toString(), RecordingStore::entry, params.toArray());
    }

    /** Rows of recordings started before {@code cutoff}, oldest first (their files go first, then the rows). */
    public List<Entry> startedBefore(Instant cutoff, int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM recordings WHERE started_at < ? ORDER BY started_at LIMIT " + limit,
                RecordingStore::entry, cutoff.toEpochMilli());
    }

    public void remove(String id) {
        jdbc.update("DELETE FROM recordings WHERE id = ?", id);
    }

    private static Entry entry(java.sql.ResultSet rs) throws java.sql.SQLException {
        long ended = rs.getLong(8);
        Instant endedAt = rs.wasNull() ? null : Instant.ofEpochMilli(ended);
        return new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), endedAt, rs.getLong(9));
    }
}
