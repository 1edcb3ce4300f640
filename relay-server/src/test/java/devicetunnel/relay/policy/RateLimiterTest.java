package devicetunnel.relay.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RateLimiterTest {
    private final AtomicLong now = new AtomicLong();
    private final RateLimiter limiter = new RateLimiter(6, now::get); // one every 10 s, burst 6

    @Test
    void allowsABurstThenRefusesWithTheWaitAndRefills() {
        for (int i = 0; i < 6; i++) {
            limiter.acquire("10.0.0.1");
        }
        RateLimited refused = catchThrowableOfType(RateLimited.class, () -> limiter.acquire("10.0.0.1"));
        assertThat(refused.retryAfterSeconds()).isEqualTo(10);
        assertThatCode(() -> limiter.acquire("10.0.0.2")).doesNotThrowAnyException(); // per address
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertThatCode(() -> limiter.acquire("10.0.0.1")).doesNotThrowAnyException();
    }

    @Test
    void reportsOnlyTheFirstRefusalOfARun() {
        AtomicInteger reported = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
            try {
                limiter.acquire("10.0.0.1", reported::incrementAndGet);
            } catch (RateLimited e) {
                // expected after the burst
            }
        }
        assertThat(reported).hasValue(1);
    }

    @Test
    void zeroMeansUnlimited() {
        RateLimiter off = new RateLimiter(0, now::get);
        for (int i = 0; i < 1000; i++) {
            off.acquire("10.0.0.1");
        }
    }
}
