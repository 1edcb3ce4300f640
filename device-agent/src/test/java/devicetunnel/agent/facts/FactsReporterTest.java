package devicetunnel.agent.facts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.DeviceFacts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FactsReporterTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<ControlMessage> sent = new CopyOnWriteArrayList<>();
    private final AtomicInteger checks = new AtomicInteger();
    private final AtomicReference<String> hostname = new AtomicReference<>("a");
    private final FactsReporter reporter = new FactsReporter(() -> {
        checks.incrementAndGet();
        return facts(hostname.get());
    }, sent::add, scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void sendsAtWelcomeThenOnlyWhenTheFactsChanged() {
        reporter.welcomed(20);
        await().atMost(Duration.ofSeconds(5)).until(() -> checks.get() >= 5);
        assertThat(sent).hasSize(1);
        hostname.set("b");
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
        assertThat(ControlCodec.facts(((ControlMessage.Facts) sent.get(1)).facts()).hostname()).isEqualTo("b");
        int before = checks.get();
        await().atMost(Duration.ofSeconds(5)).until(() -> checks.get() >= before + 5);
        assertThat(sent).hasSize(2);
    }

    @Test
    void aNewLinkGetsTheFactsAgainAndARelayThatAskedForNoneGetsNone() {
        reporter.welcomed(60_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
        reporter.welcomed(60_000); // reconnected: the relay has nothing from this link
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
        reporter.welcomed(0); // an older relay: would refuse the unknown message type
        hostname.set("c");
        int before = checks.get();
        reporter.welcomed(0);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> checks.get() == before);
        assertThat(sent).hasSize(2);
    }

    private static DeviceFacts facts(String hostname) {
        return new DeviceFacts("Test OS", "6.1", "x86_64", hostname, "0.1.0", 1L, List.of("10.0.0.1"), 2, 1024L);
    }
}
