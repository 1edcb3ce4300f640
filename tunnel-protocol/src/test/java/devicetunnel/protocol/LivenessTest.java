package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LivenessTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final Duration ping = Duration.ofSeconds(10);

    @Test
    void aPeerIsGoneOnlyAfterTwoSilentIntervals() {
        Liveness liveness = new Liveness(now::get);
        Duration limit = Liveness.silenceLimit(ping);
        now.addAndGet(limit.toNanos());
        assertThat(liveness.silentLongerThan(limit)).as("exactly two intervals").isFalse();
        now.incrementAndGet();
        assertThat(liveness.silentLongerThan(limit)).isTrue();
    }

    @Test
    void hearingFromThePeerStartsTheSilenceAgain() {
        Liveness liveness = new Liveness(now::get);
        now.addAndGet(Duration.ofSeconds(19).toNanos());
        liveness.heard();
        now.addAndGet(Duration.ofSeconds(19).toNanos());
        assertThat(liveness.silentLongerThan(Liveness.silenceLimit(ping))).isFalse();
    }

    @Test
    void silenceIsCheckedFourTimesAnIntervalButNotInATightLoop() {
        assertThat(Liveness.checkPeriod(ping)).isEqualTo(Duration.ofMillis(2_500));
        assertThat(Liveness.checkPeriod(Duration.ofMillis(20))).isEqualTo(Duration.ofMillis(10));
    }
}
