package devicetunnel.relay.store;

import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The store on the embedded default: SQLite (WAL) in the state directory. */
@Timeout(60)
class SqliteStoreTest extends StoreContract {
    @TempDir
    Path stateDir;

    @Override
    Database open() {
        return EmbeddedStore.open(stateDir);
    }
}
