package devicetunnel.relay.store;

import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The terminal sessions open on the device side: written when a shell opens, removed when it ends.
 * A relay asked to resume a session it does not hold (it restarted, or a sibling opened it) finds
 * here whose it is and on which device, and resumes it through the agent.
 */
public final class TerminalSessionStore {
    private final Jdbc jdbc;

    /** One open session: enough to check who may resume it and where its shell runs. */
    public record Entry(String id, String deviceId, String operator, Instant startedAt) {}

    public TerminalSessionStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public void add(Entry e) {
        jdbc.update("INSERT INTO terminal_sessions (id, device_id, operator, started_at) VALUES (?, ?, ?, ?)",
                e.id(), e.deviceId(), e.operator(), e.startedAt().toEpochMilli());
    }

    public Optional<Entry> find(String id) {
        return jdbc.query("SELECT id, device_id, operator, started_at FROM terminal_sessions WHERE id = ?",
                rs -> new Entry(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))), id)
                .stream().findFirst();
    }

    public void remove(String id) {
        jdbc.update("DELETE FROM terminal_sessions WHERE id = ?", id);
    }
}
