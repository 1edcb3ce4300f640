package devicetunnel.relay.support;

import devicetunnel.relay.RelayConfig;
import java.nio.file.Path;
import java.time.Duration;

/** Relay configurations for tests and the bench. */
public final class TestConfigs {
    private TestConfigs() {}

    /** A relay on any free loopback port, 2 s pings, 1 h tokens, everything else as the command line's defaults. */
    public static RelayConfig relay(Path stateDir) {
        return RelayConfig.builder(stateDir).listen("127.0.0.1", 0).pingInterval(Duration.ofSeconds(2))
                .tokenLifetime(Duration.ofHours(1)).build();
    }
}
