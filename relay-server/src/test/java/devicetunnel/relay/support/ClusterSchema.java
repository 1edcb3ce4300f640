package devicetunnel.relay.support;

import devicetunnel.relay.store.Database;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh PostgreSQL schema with the cluster tables for each test, dropped after it:
 * {@code @RegisterExtension final ClusterSchema pg = new ClusterSchema();}, then {@code pg.database()}.
 * Fails (never skips) when PostgreSQL is missing, like every store test.
 */
public final class ClusterSchema implements BeforeEachCallback, AfterEachCallback {
    private String schema;
    private Database database;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        ClusterServices.requirePostgres();
        schema = ClusterServices.createSchema();
        database = Database.open(ClusterServices.jdbcUrl(schema), ClusterServices.PG_USER, null);
        database.migrateCluster();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (database != null) {
                database.close();
            }
        } finally {
            if (schema != null) {
                ClusterServices.dropSchema(schema);
            }
        }
    }

    public Database database() {
        return database;
    }
}
