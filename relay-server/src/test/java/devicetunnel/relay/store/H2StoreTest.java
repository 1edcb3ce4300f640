package devicetunnel.relay.store;

import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The store on the embedded default: H2 in the state directory. */
@Timeout(60)
class H2StoreTest extends StoreContract {
    @TempDir
    Path stateDir;

    @Override
    Database open() {
        return Database.open(Database.embeddedUrl(stateDir), null, null);
    }
}
