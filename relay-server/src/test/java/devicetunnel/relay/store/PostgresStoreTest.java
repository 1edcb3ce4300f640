package devicetunnel.relay.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * The same store contract on PostgreSQL at 127.0.0.1:5432 (database {@code test}, user
 * {@code postgres}), in a schema of its own that is dropped afterwards. When no server answers
 * there, these tests fail under CI=true (CI must test what ships) and are skipped, saying so on the
 * console, elsewhere.
 */
@Timeout(60)
class PostgresStoreTest extends StoreContract {
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String USER = System.getenv().getOrDefault("DT_TEST_PG_USER", "postgres");
    private static String unreachable;

    private String schema;

    @BeforeAll
    static void probe() {
        try (Connection c = DriverManager.getConnection(SERVER + "?connectTimeout=3", USER, null)) {
            unreachable = null;
        } catch (SQLException e) {
            unreachable = e.getMessage();
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true but no PostgreSQL at 127.0.0.1:5432/test: " + unreachable, e);
            }
            System.out.println("PostgresStoreTest: SKIPPED - no PostgreSQL at 127.0.0.1:5432/test (" + unreachable
                    + "); the store was tested on SQLite only.");
        }
    }

    @Override
    Database open() throws SQLException {
        Assumptions.assumeTrue(unreachable == null, () -> "no PostgreSQL at 127.0.0.1:5432/test: " + unreachable);
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
