package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PeriodicTest {
    @Test
    void aTaskThatThrowsOnceKeepsRunning() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch third = new CountDownLatch(3);
            Periodic.every(scheduler, "flaky", Duration.ofMillis(10), () -> {
                third.countDown();
                if (runs.incrementAndGet() == 1) {
                    throw new IllegalStateException("the database hiccuped");
                }
            });
            assertThat(third.await(10, TimeUnit.SECONDS)).as("runs after the failure").isTrue();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
