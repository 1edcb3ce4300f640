package devicetunnel.relay.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The real services cluster tests need: PostgreSQL (127.0.0.1:5432, database test) and NATS
 * (127.0.0.1:4222). A missing service fails the test with a message naming it and how to start
 * it, in CI and outside it alike: these tests never skip (a skipped cluster test would pass with
 * the feature missing).
 */
public final class ClusterServices {
    public static final String PG_SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String PG_USER = System.getenv().getOrDefault("DT_TEST_PG_USER", "postgres");
    public static final String NATS_URL = "nats://127.0.0.1:4222";

    private ClusterServices() {}

    public static void requireAll() {
        requirePostgres();
        requireNats();
    }

    public static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(PG_SERVER + "?connectTimeout=3", PG_USER, null)) {
            c.isValid(3);
        } catch (SQLException e) {
            throw new AssertionError(missing("PostgreSQL at 127.0.0.1:5432 (database 'test', user " + PG_USER + ")",
                    "start it with `service postgresql start` (trust auth for local connections)", e.getMessage()));
        }
    }

    public static void requireNats() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 4222), 3000);
        } catch (IOException e) {
            throw new AssertionError(missing("NATS at 127.0.0.1:4222", "start it with `nats-server -js -a 127.0.0.1 -p 4222`",
                    e.getMessage()));
        }
    }

    private static String missing(String service, String howToStart, String error) {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        return (ci ? "CI=true and " : "") + service + " is not reachable (" + error + "): " + howToStart
                + ". Cluster tests need it and do not skip.";
    }

    /** A schema of its own for one test run, so runs (and engineers) sharing the server never meet. */
    public static String createSchema() throws SQLException {
        String schema = "dt_cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        execute("CREATE SCHEMA " + schema);
        return schema;
    }

    public static void dropSchema(String schema) throws SQLException {
        if (schema != null) {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    public static String jdbcUrl(String schema) {
        return PG_SERVER + "?currentSchema=" + schema;
    }

    /** A NATS subject prefix of its own for one test run. */
    public static String subjectPrefix() {
        return "dt-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG_SERVER, PG_USER, null); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
