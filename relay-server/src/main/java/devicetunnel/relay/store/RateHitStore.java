package devicetunnel.relay.store;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Rate limits every relay of a cluster shares: attempts per key counted in one-minute windows, with
 * the sliding-window estimate (the previous window weighted by how much of it still overlaps the
 * last minute, plus the current window), so at most about {@code perMinute} attempts pass in any
 * minute across all relays. Refused attempts are not counted: a flood cannot extend the lock.
 * Each decision holds an advisory lock on its key for its transaction, so relays cannot race past
 * the limit together.
 */
public final class RateHitStore {
    private static final long WINDOW_MILLIS = 60_000;
    private static final int RATE_LOCKS = 3;

    /** {@code retryAfterSeconds} is 0 when allowed; {@code firstRefusal} is true once per key per window. */
    public record Decision(boolean allowed, long retryAfterSeconds, boolean firstRefusal) {}

    private record Window(long start, int hits) {}

    private final Jdbc jdbc;

    public RateHitStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public Decision hit(String limit, String key, int perMinute, long nowMillis) {
        long current = windowStart(nowMillis);
        return jdbc.transaction(tx -> {
            tx.query("SELECT pg_advisory_xact_lock(?, hashtext(?))", rs -> 1, RATE_LOCKS, limit + "/" + key);
            Map<Long, Integer> hits = new HashMap<>();
            tx.query("SELECT window_start, hits FROM cluster_rate_hits WHERE limit_name = ? AND rate_key = ? "
                    + "AND window_start >= ?", rs -> hits.put(rs.getLong(1), rs.getInt(2)), limit, key, current - WINDOW_MILLIS);
            int now = hits.getOrDefault(current, 0);
            int before = hits.getOrDefault(current - WINDOW_MILLIS, 0);
            long wait = waitMillis(before, now, perMinute, nowMillis);
            if (wait == 0) {
                upsert(tx, limit, key, current, "hits");
                return new Decision(true, 0, false);
            }
            int refused = upsert(tx, limit, key, current, "refused");
            return new Decision(false, Math.max(1, (wait + 999) / 1000), refused == 1);
        });
    }

    /** Keys refused right now, with the seconds until each may try again. */
    public Map<String, Long> refusing(String limit, int perMinute, long nowMillis) {
        long current = windowStart(nowMillis);
        Map<String, int[]> byKey = new HashMap<>();
        jdbc.query("SELECT rate_key, window_start, hits FROM cluster_rate_hits WHERE limit_name = ? AND window_start >= ?",
                rs -> byKey.computeIfAbsent(rs.getString(1), k -> new int[2])[rs.getLong(2) == current ? 1 : 0] = rs.getInt(3),
                limit, current - WINDOW_MILLIS);
        Map<String, Long> out = new TreeMap<>();
        byKey.forEach((key, w) -> {
            long wait = waitMillis(w[0], w[1], perMinute, nowMillis);
            if (wait > 0) {
                out.put(key, Math.max(1, (wait + 999) / 1000));
            }
        });
        return out;
    }

    /** Forgets the key's attempts (an admin lifted the limit); false when there were none. */
    public boolean lift(String limit, String key) {
        return jdbc.update("DELETE FROM cluster_rate_hits WHERE limit_name = ? AND rate_key = ?", limit, key) > 0;
    }

    /** Deletes windows that no longer count; returns how many. */
    public int purge(long nowMillis) {
        return jdbc.update("DELETE FROM cluster_rate_hits WHERE window_start < ?", windowStart(nowMillis) - WINDOW_MILLIS);
    }

    /**
     * How long until one more attempt fits under {@code perMinute}, 0 if it fits now. The estimate
     * is {@code before * (1 - elapsed) + now}, elapsed being the fraction of the current window gone.
     */
    static long waitMillis(int before, int now, int perMinute, long nowMillis) {
        long intoWindow = nowMillis - windowStart(nowMillis);
        double elapsed = intoWindow / (double) WINDOW_MILLIS;
        if (before * (1 - elapsed) + now + 1 <= perMinute) {
            return 0;
        }
        if (now + 1 <= perMinute) { // the previous window's weight must fall far enough within this one
            double needed = 1 - (perMinute - 1 - now) / (double) before;
            return Math.max(1, (long) Math.ceil(needed * WINDOW_MILLIS) - intoWindow);
        }
        // the rest of this window, then until this window's weight has fallen far enough in the next
        double needed = 1 - (perMinute - 1) / (double) now;
        return (WINDOW_MILLIS - intoWindow) + (long) Math.ceil(needed * WINDOW_MILLIS);
    }

    private static long windowStart(long nowMillis) {
        return nowMillis - Math.floorMod(nowMillis, WINDOW_MILLIS);
    }

    private static int upsert(Jdbc.Tx tx, String limit, String key, long window, String column) throws SQLException {
        List<Integer> count = tx.query("INSERT INTO cluster_rate_hits (limit_name, rate_key, window_start, hits, refused) "
                        + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (limit_name, rate_key, window_start) DO UPDATE SET "
                        + column + " = cluster_rate_hits." + column + " + 1 RETURNING " + column,
                rs -> rs.getInt(1), limit, key, window, column.equals("hits") ? 1 : 0, column.equals("refused") ? 1 : 0);
        return count.get(0);
    }
}
