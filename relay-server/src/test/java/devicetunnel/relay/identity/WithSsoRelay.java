package devicetunnel.relay.identity;

import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.support.TestIdp;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test's own OpenID provider (in this JVM) and a relay that signs in through it; both closed after each test. */
abstract class WithSsoRelay {
    @TempDir
    Path dir;
    TestIdp idp;
    TestRelay relay;

    /** Starts the provider, then the relay; {@code customize} may read {@link #idp} (e.g. {@code idp.settings()}). */
    void start(UnaryOperator<RelayConfig> customize) throws Exception {
        idp = new TestIdp();
        relay = new TestRelay(dir, customize);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            relay.close();
        } finally {
            idp.close();
        }
    }
}
