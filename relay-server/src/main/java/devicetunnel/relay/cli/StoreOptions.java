package devicetunnel.relay.cli;

import devicetunnel.relay.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the relay keeps its state; shared by every command. */
final class StoreOptions {
    @Option(names = "--state-dir", defaultValue = "${env:DT_STATE_DIR:-relay-state}",
            description = "Directory for keys, secrets and the embedded database. Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    @Option(names = "--database-url", defaultValue = "${env:DT_DATABASE_URL}",
            description = "JDBC URL, e.g. jdbc:postgresql://db/relay (env DT_DATABASE_URL). Default: embedded H2 in the state dir.")
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

    Database open() throws IOException {
        Files.createDirectories(stateDir);
        String url = databaseUrl != null ? databaseUrl : Database.embeddedUrl(stateDir);
        return Database.open(url, databaseUser, databasePassword());
    }
}
