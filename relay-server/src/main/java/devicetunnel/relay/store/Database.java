package devicetunnel.relay.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The relay's database: SQLite in the state directory by default ({@link EmbeddedStore}),
 * PostgreSQL (or any JDBC URL) when given one. Migrations: {@code db/migration/common} everywhere,
 * plus the first schema in the dialect's own folder (only the audit id column differs).
 */
public final class Database implements AutoCloseable {
    public enum Kind { SQLITE, POSTGRESQL, OTHER }

    private final HikariDataSource dataSource;
    private final Kind kind;
    private final AutoCloseable onClose;

    private Database(HikariDataSource dataSource, Kind kind, AutoCloseable onClose) {
        this.dataSource = dataSource;
        this.kind = kind;
        this.onClose = onClose;
    }

    /** Opens (creating if needed) and migrates the database at {@code jdbcUrl}. */
    public static Database open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, new Properties(), true, null);
    }

    /**
     * For the relay on a shared database: opened, migrated, then the same check as the embedded
     * store (Flyway validation, every table); a failure refuses the start.
     */
    public static Database openChecked(String jdbcUrl, String user, String password) {
        Database db = open(jdbcUrl, user, password);
        try {
            EmbeddedStore.refuseIfAny(StoreCheck.problems(db));
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    static Database open(String jdbcUrl, String user, String password, Properties driverProperties,
                         boolean migrate, AutoCloseable onClose) {
        Kind kind = kindOf(jdbcUrl);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setDataSourceProperties(driverProperties);
        // SQLite serialises writers anyway; a few connections let reads run beside a write (WAL).
        config.setMaximumPoolSize(kind == Kind.SQLITE ? 4 : 8);
        config.setPoolName("relay-db");
        config.setConnectionTimeout(5_000); // a broken store should answer 503 soon, not hang requests
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            throw e.getCause() instanceof SQLException sql ? StoreErrors.translate(sql) : e;
        } catch (RuntimeException e) {
            // Hikari's "Failed to get driver instance for jdbcUrl=..." when no driver takes the URL
            if (kind == Kind.OTHER && String.valueOf(e.getMessage()).startsWith("Failed to get driver instance")) {
                throw new IllegalArgumentException("no database driver for " + jdbcUrl.replaceAll("[?;].*", "")
                        + ": use jdbc:postgresql://HOST/DATABASE, or leave --database-url out for the embedded store", e);
            }
            throw e;
        }
        try {
            if (migrate) {
                flyway(ds, kind).migrate();
            }
        } catch (FlywayException e) {
            ds.close();
            SQLException sql = sqlCause(e);
            throw sql != null ? StoreErrors.translate(sql) : e;
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds, kind, onClose);
    }

    static Flyway flyway(DataSource ds, Kind kind) {
        String first = kind == Kind.SQLITE ? "classpath:db/migration/sqlite" : "classpath:db/migration/standard";
        return Flyway.configure().dataSource(ds).locations(first, "classpath:db/migration/common").load();
    }

    static Kind kindOf(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return Kind.SQLITE;
        }
        return jdbcUrl.startsWith("jdbc:postgresql:") ? Kind.POSTGRESQL : Kind.OTHER;
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    public Kind kind() {
        return kind;
    }

    Flyway flyway() {
        return flyway(dataSource, kind);
    }

    /**
     * Adds the cluster tables (cluster mode only). They have their own location and history table,
     * so their versions never collide with the main migrations, and a single-node database never
     * gets them.
     */
    public void migrateCluster() {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/cluster")
                .table("cluster_schema_history").baselineOnMigrate(true).baselineVersion("0").load().migrate();
    }

    /** Whether this is a PostgreSQL database (the only store a cluster may share). */
    public boolean isPostgres() {
        return kind == Kind.POSTGRESQL;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
        if (onClose != null) {
            try {
                onClose.close();
            } catch (Exception ignored) {
                // the lock goes with the process anyway
            }
        }
    }
}
