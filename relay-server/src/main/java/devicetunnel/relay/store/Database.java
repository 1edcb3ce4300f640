package devicetunnel.relay.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The relay's database: embedded H2 in the state directory by default, PostgreSQL by URL. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Opens (creating if needed) and migrates the database. */
    public static Database open(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(8);
        config.setPoolName("relay-db");
        HikariDataSource ds = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds);
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
        return dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    public static String embeddedUrl(Path stateDir) {
        return "jdbc:h2:file:" + stateDir.toAbsolutePath().resolve("relay") + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
