package devicetunnel.relay.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the store takes writes right now, for {@code /readyz}. Each probe rewrites one heartbeat
 * row: a read would pass on a full disk or a file gone read-only. Only state changes are logged,
 * so a long outage is two lines, not one per probe.
 */
public final class StoreHealth {
    private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);
    private final DataSource dataSource;
    private final String relayName;
    private final Clock clock;
    private volatile String problem;
    private volatile double lastProbeSeconds = Double.NaN;

    public StoreHealth(DataSource dataSource, String relayName, Clock clock) {
        this.dataSource = dataSource;
        this.relayName = relayName;
        this.clock = clock;
    }

    /** Null while the store is healthy, else what is wrong in words for people. */
    public String problem() {
        return problem;
    }

    /** How long the last heartbeat write took (NaN before the first): the store's latency as sessions feel it. */
    public double lastProbeSeconds() {
        return lastProbeSeconds;
    }

    public void probe() {
        long started = System.nanoTime();
        String found;
        try (Connection c = dataSource.getConnection()) {
            Timestamp now = Timestamp.from(clock.instant());
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE store_heartbeat SET relay = ?, beat_at = ? WHERE id = 1")) {
                update.setString(1, relayName);
                update.setTimestamp(2, now);
                if (update.executeUpdate() == 0) {
                    try (PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO store_heartbeat (id, relay, beat_at) VALUES (1, ?, ?)")) {
                        insert.setString(1, relayName);
                        insert.setTimestamp(2, now);
                        insert.executeUpdate();
                    }
                }
            }
            found = null;
        } catch (SQLException e) {
            found = StoreErrors.describe(e);
        } catch (RuntimeException e) {
            found = "the store cannot be reached: " + e.getMessage();
        }
        lastProbeSeconds = (System.nanoTime() - started) / 1e9;
        String before = problem;
        problem = found;
        if (found != null && before == null) {
            log.error("store not healthy, /readyz answers 503: {}", found);
        } else if (found == null && before != null) {
            log.info("store healthy again");
        }
    }
}
