package devicetunnel.relay.store;

import devicetunnel.relay.support.ClusterServices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * The same store contract on PostgreSQL at 127.0.0.1:5432 (database {@code test}, user
 * {@code postgres}), in a schema of its own that is dropped afterwards. When no server answers
 * there, these tests fail with how to start it: they never skip (a skipped test would pass with
 * the PostgreSQL store broken).
 */
@Timeout(60)
class PostgresStoreTest extends StoreContract {
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String USER = System.getenv().getOrDefault("DT_TEST_PG_USER", "postgres");

    private String schema;

    @BeforeAll
    static void requirePostgres() {
        ClusterServices.requirePostgres(); // fails, never skips, when PostgreSQL is missing
    }

    @Override
    Database open() throws SQLException {
        schema = "dt_test_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE SCHEMA " + schema);
        return Database.open(SERVER + "?currentSchema=" + schema, USER, null);
    }

    @Override
    void dispose() throws SQLException {
        if (schema != null) {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, USER, null); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
