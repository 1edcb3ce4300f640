package devicetunnel.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BackoffTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    /** A generator that always picks the top of the range, to see the ceiling. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    @Test
    void ceilingDoublesUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(60), Duration.ofSeconds(30), HIGHEST, now::get);
        long[] expected = {100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000};
        for (long e : expected) {
            assertThat(backoff.nextDelayMillis()).isEqualTo(e);
        }
    }

    @Test
    void fullJitterSpreadsDelaysOverTheWholeRange() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30),
                new SplittableRandom(42), now::get);
        for (int i = 0; i < 4; i++) {
            backoff.nextDelayMillis();
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2_000; i++) {
            long d = backoff.nextDelayMillis();
            assertThat(d).isBetween(0L, 1_000L);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertThat(min).isLessThan(100);
        assertThat(max).isGreaterThan(900);
    }

    @Test
    void aStableLinkResetsTheBackoffButAFlappingOneDoesNot() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(60), Duration.ofSeconds(30), HIGHEST, now::get);
        for (int i = 0; i < 5; i++) {
            backoff.nextDelayMillis();
        }
        backoff.connected();
        now.addAndGet(5_000); // up for only 5 s: still flapping
        assertThat(backoff.nextDelayMillis()).isEqualTo(3200);

        backoff.connected();
        now.addAndGet(31_000); // up for longer than the stable period
        assertThat(backoff.nextDelayMillis()).isEqualTo(100);
    }
}
