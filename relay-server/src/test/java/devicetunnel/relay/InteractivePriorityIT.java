package devicetunnel.relay;

import static org.awaitility.Awaitility.await;

import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive priority end to end: on a machine that reads as saturated, a flooding terminal is
 * paced while an operator types in another session, and runs free again once they stop. Only the
 * CPU-load reading is fixed; relay, agent, SSH and shells are real.
 */
@Timeout(120)
class InteractivePriorityIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    /** The pacing floor is 256 KB/s; a paced flood stays well under this. */
    private static final double PACED_BYTES_PER_SECOND = 1024 * 1024;

    @TempDir
    Path dir;

    /** Output rate of a terminal over the last second of samples taken while polling. */
    private static final class RateProbe {
        private final TerminalClient terminal;
        private final Deque<long[]> samples = new ArrayDeque<>();

        RateProbe(TerminalClient terminal) {
            this.terminal = terminal;
        }

        double bytesPerSecond() {
            long now = System.nanoTime();
            samples.addLast(new long[] {now, terminal.received()});
            while (samples.size() > 2 && now - samples.peekFirst()[0] > TimeUnit.SECONDS.toNanos(1)) {
                samples.removeFirst();
            }
            long[] first = samples.peekFirst();
            double seconds = (now - first[0]) / 1e9;
            return seconds < 0.9 ? Double.NaN : (terminal.received() - first[1]) / seconds;
        }
    }

    @Test
    void aFloodIsPacedWhileSomeoneElseTypesAndRunsFreeWhenTheyStop() throws Exception {
        ScheduledExecutorService keyboard = Executors.newSingleThreadScheduledExecutor();
        try (TestRelay relay = new TestRelay(dir, UnaryOperator.identity(), HttpClient.newHttpClient(), () -> 1.0)) {
            relay.onlineDevice("dev-1");
            String token = relay.adminToken();
            try (TerminalClient flood = relay.terminal("dev-1", token, 80, 24);
                 TerminalClient typist = relay.terminal("dev-1", token, 80, 24)) {
                flood.awaitSessionId(WAIT);
                typist.awaitSessionId(WAIT);
                flood.type("yes 'a flood of output'\r");
                ScheduledFuture<?> typing = keyboard.scheduleAtFixedRate(() -> typist.type("x"), 0, 100,
                        TimeUnit.MILLISECONDS);
                RateProbe rate = new RateProbe(flood);
                await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                        .until(() -> rate.bytesPerSecond() < PACED_BYTES_PER_SECOND);

                typing.cancel(false);
                RateProbe freed = new RateProbe(flood);
                await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                        .until(() -> freed.bytesPerSecond() > 4 * PACED_BYTES_PER_SECOND);
                flood.type("\u0003");
            }
        } finally {
            keyboard.shutdownNow();
        }
    }
}
