package devicetunnel.relay.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** The facts each device last reported (JSON text, bounded before it gets here), kept beside the device row. */
public final class DeviceFactsStore {
    /** Stored facts and when they arrived. */
    public record Stored(String json, Instant at) {}

    /** How many devices run one agent version; {@code agentVersion} null for devices that never reported. */
    public record VersionCount(String agentVersion, long devices) {}

    private final Jdbc jdbc;

    public DeviceFactsStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    /** Stores the facts; false for an unknown device. */
    public boolean set(String deviceId, String json, String agentVersion, Instant at) {
        return jdbc.update("UPDATE devices SET facts = ?, agent_version = ?, facts_at = ? WHERE id = ?",
                json, agentVersion, at.toEpochMilli(), deviceId) == 1;
    }

    public Optional<Stored> find(String deviceId) {
        return jdbc.query("SELECT facts, facts_at FROM devices WHERE id = ? AND facts IS NOT NULL",
                rs -> new Stored(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))), deviceId).stream().findFirst();
    }

    /** Every device's facts in one query (the device list shows them all). */
    public Map<String, Stored> all() {
        Map<String, Stored> facts = new HashMap<>();
        jdbc.query("SELECT id, facts, facts_at FROM devices WHERE facts IS NOT NULL",
                rs -> facts.put(rs.getString(1), new Stored(rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)))));
        return facts;
    }

    /** Devices per agent version, revoked ones left out (they run nothing that matters), most devices first. */
    public List<VersionCount> agentVersions() {
        return jdbc.query("SELECT agent_version, COUNT(*) FROM devices WHERE status <> 'REVOKED' "
                        + "GROUP BY agent_version ORDER BY COUNT(*) DESC, agent_version",
                rs -> new VersionCount(rs.getString(1), rs.getLong(2)));
    }
}
