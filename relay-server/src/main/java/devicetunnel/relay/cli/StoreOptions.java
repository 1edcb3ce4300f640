package devicetunnel.relay.cli;

import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.EmbeddedStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the relay keeps its state; shared by every command. */
final class StoreOptions {
    @Option(names = "--state-dir", defaultValue = "${env:DT_STATE_DIR:-relay-state}",
            description = "Directory for keys, secrets and the embedded database (created 0700). Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    @Option(names = "--database-url", defaultValue = "${env:DT_DATABASE_URL}",
            description = "JDBC URL, e.g. jdbc:postgresql://db/relay (env DT_DATABASE_URL). Default: embedded SQLite "
                    + "(relay.db) in the state dir.")
    String databaseUrl;

    @Option(names = "--database-user", defaultValue = "${env:DT_DATABASE_USER}",
            description = "Database user (env DT_DATABASE_USER).")
    String databaseUser;

    @Option(names = "--database-password-file", defaultValue = "${env:DT_DATABASE_PASSWORD_FILE}",
            description = "File holding the database password (env DT_DATABASE_PASSWORD_FILE).")
    Path databasePasswordFile;

    String databasePassword() throws IOException {
        return databasePasswordFile == null ? null : Files.readString(databasePasswordFile).strip();
    }

    boolean embedded() {
        return databaseUrl == null;
    }

    /**
     * For commands that write: the embedded store is refused while a relay runs on the directory
     * (its state would change under it), with a message saying to use the API instead.
     */
    Database open() throws IOException {
        return embedded() ? EmbeddedStore.open(stateDir) : Database.open(databaseUrl, databaseUser, databasePassword());
    }

    /** For commands that only read; may run beside a live relay. */
    Database openForReading() throws IOException {
        return embedded() ? EmbeddedStore.openForReading(stateDir)
                : Database.open(databaseUrl, databaseUser, databasePassword());
    }
}
