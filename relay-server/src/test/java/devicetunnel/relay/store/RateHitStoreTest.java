package devicetunnel.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sliding-window arithmetic of the cluster-wide rate limit (the SQL side is in ClusterSharedStateIT). */
@Timeout(10)
class RateHitStoreTest {
    private static final long WINDOW = 60_000;
    private static final long START = 1_000 * WINDOW; // a window boundary

    @Test
    void letsThroughUpToTheLimitWithinOneWindow() {
        assertThat(RateHitStore.waitMillis(0, 0, 4, START + 10_000)).isZero();
        assertThat(RateHitStore.waitMillis(0, 3, 4, START + 10_000)).isZero();
        assertThat(RateHitStore.waitMillis(0, 4, 4, START + 10_000)).as("the fifth waits").isPositive();
    }

    @Test
    void theFullWindowWaitsUntilItsWeightHasFallenInTheNext() {
        // 4 of 4 used; in the next window 4 * (1 - f) + 1 <= 4 needs f >= 1/4: 15 s into it
        assertThat(RateHitStore.waitMillis(0, 4, 4, START + 10_000)).isEqualTo(50_000 + 15_000);
    }

    @Test
    void thePreviousWindowCountsByHowMuchOfItStillOverlapsTheLastMinute() {
        // 4 in the previous window, none yet in this one: 4 * (1 - f) + 1 <= 4 from f = 1/4
        assertThat(RateHitStore.waitMillis(4, 0, 4, START + 5_000)).isEqualTo(10_000);
        assertThat(RateHitStore.waitMillis(4, 0, 4, START + 15_000)).isZero();
        assertThat(RateHitStore.waitMillis(2, 1, 4, START)).as("2 + 1 + 1 fits").isZero();
    }

    @Test
    void aLimitOfOneWaitsForAWholeWindow() {
        assertThat(RateHitStore.waitMillis(0, 1, 1, START)).isEqualTo(WINDOW + WINDOW);
        assertThat(RateHitStore.waitMillis(1, 0, 1, START + 30_000)).isEqualTo(30_000);
    }
}
