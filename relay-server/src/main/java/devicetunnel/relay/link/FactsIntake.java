package devicetunnel.relay.link;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.DeviceFacts;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.DeviceFactsStore;
import java.time.Clock;
import java.time.Duration;

/**
 * Takes the facts a device reports on its control link: refuses what is malformed or over the
 * bounds of {@link DeviceFacts} (the link stays up: the facts are advisory), keeps the rest in
 * canonical form (fields the relay does not know are dropped), and writes only what changed since
 * the link's previous facts, so a chatty device costs no database writes. A link writes at most
 * once per {@link #MIN_WRITE_GAP}: an honest agent sends once per check interval (at least 1 s),
 * a hostile one cannot turn its message budget into database writes.
 */
public final class FactsIntake {
    static final Duration MIN_WRITE_GAP = Duration.ofMillis(500);

    private final DeviceFactsStore store;
    private final Duration checkInterval;
    private final Clock clock;

    /** {@code checkInterval}: how often agents are asked to look at their facts again (sent in the welcome). */
    public FactsIntake(DeviceFactsStore store, Duration checkInterval, Clock clock) {
        this.store = store;
        this.checkInterval = checkInterval;
        this.clock = clock;
    }

    public long checkIntervalMillis() {
        return checkInterval.toMillis();
    }

    /** Stores the facts {@code link} sent; a {@link TunnelException} says why they were refused. */
    public void accept(DeviceLink link, JsonNode tree) {
        DeviceFacts facts = ControlCodec.facts(tree);
        if (facts.equals(link.lastFacts())) {
            return;
        }
        java.time.Instant now = clock.instant();
        java.time.Instant previous = link.lastFactsAt();
        if (previous != null && Duration.between(previous, now).compareTo(MIN_WRITE_GAP) < 0) {
            throw new TunnelException(devicetunnel.protocol.ErrorCode.TOO_MANY_REQUESTS, "facts sent too often");
        }
        store.set(link.deviceId(), Json.write(facts), facts.agentVersion(), now);
        link.lastFacts(facts, now);
    }
}
