package devicetunnel.relay.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Security-relevant events, kept in the database. Never records secrets or terminal data. */
public final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger("audit");
    private final Jdbc jdbc;

    public record Event(long id, Instant at, String event, String actor, String deviceId, String sessionId,
                        String remoteIp, String detail) {}

    public AuditLog(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public void record(String event, String actor, String deviceId, String sessionId, String remoteIp, String detail) {
        // Actor and detail can carry client-chosen text: cleaned so no one forges a log line.
        actor = LogSafe.text(actor);
        detail = LogSafe.clean(detail, 2000);
        log.info("{} actor={} device={} session={} ip={} {}", event, actor, LogSafe.text(deviceId), sessionId,
                LogSafe.text(remoteIp), detail == null ? "" : detail);
        try {
            jdbc.update("INSERT INTO audit_events (at, event, actor, device_id, session_id, remote_ip, detail) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    Instant.now(), event, actor, deviceId, sessionId, remoteIp, truncate(detail));
        } catch (RuntimeException e) {
            log.error("could not store audit event {}: {}", event, e.getMessage());
        }
    }

    public List<Event> recent(int limit) {
        return recent(limit, null, null);
    }

    /** Newest first, at most {@code limit} (1..1000); {@code event} and {@code deviceId} filter when not null. */
    public List<Event> recent(int limit, String event, String deviceId) {
        return find(new Filter(event, deviceId, null, null, null, null, limit));
    }

    /**
     * What {@link #find} selects; null fields do not filter. {@code from}/{@code to} bound {@code at}
     * (from inclusive, to exclusive); {@code beforeId} pages back: events older than one already seen.
     */
    public record Filter(String event, String deviceId, String actor, Instant from, Instant to, Long beforeId,
                         int limit) {}

    /** Newest first (by id, so paging with {@code beforeId} neither skips nor repeats an event). */
    public List<Event> find(Filter filter) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder(
                "SELECT id, at, event, actor, device_id, session_id, remote_ip, detail FROM audit_events WHERE 1 = 1");
        condition(sql, params, " AND event = ?", filter.event());
        condition(sql, params, " AND device_id = ?", filter.deviceId());
        condition(sql, params, " AND actor = ?", filter.actor());
        condition(sql, params, " AND at >= ?", filter.from());
        condition(sql, params, " AND at < ?", filter.to());
        condition(sql, params, " AND id < ?", filter.beforeId());
        sql.append(" ORDER BY id DESC LIMIT ").append(Math.max(1, Math.min(filter.limit(), 1000)));
        return jdbc.query(sql.toString(),
                rs -> new Event(rs.getLong(1), Jdbc.instant(rs, "at"), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)), params.toArray());
    }

    private static void condition(StringBuilder sql, List<Object> params, String clause, Object value) {
        if (value != null) {
            sql.append(clause);
            params.add(value);
        }
    }

    /** Used by {@link AuditRetention} only, which audits the removal itself. */
    int deleteOlderThan(Instant cutoff) {
        return jdbc.update("DELETE FROM audit_events WHERE at < ?", cutoff);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }
}
