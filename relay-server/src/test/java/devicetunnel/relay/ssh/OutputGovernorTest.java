package devicetunnel.relay.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OutputGovernorTest {
    private static final int MIB = 1024 * 1024;

    private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
    private double load = 0.0;
    private final OutputGovernor governor = new OutputGovernor(true, () -> load, now::get);

    private void tick() {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(OutputGovernor.TICK_MILLIS));
        governor.adjust();
    }

    /** One tick in which {@code flood} prints a megabyte and {@code typist} (if any) types a key. */
    private void busyTick(OutputGovernor.Pacer flood, OutputGovernor.Pacer typist) {
        governor.delayNanos(flood, MIB);
        if (typist != null) {
            governor.inputSeen(typist);
            governor.delayNanos(typist, 1);
        }
        tick();
    }

    @Test
    void nothingIsPacedOnAnIdleMachine() {
        OutputGovernor.Pacer flood = governor.newPacer();
        OutputGovernor.Pacer typist = governor.newPacer();
        for (int i = 0; i < 20; i++) {
            busyTick(flood, typist);
        }
        assertThat(governor.bulkRate()).isEqualTo(OutputGovernor.UNPACED_BYTES_PER_SECOND);
        assertThat(governor.delayNanos(flood, 8 * MIB)).isZero();
    }

    @Test
    void floodsArePacedWhileTheMachineIsBusyAndSomeoneElseTypes() {
        load = 0.95;
        OutputGovernor.Pacer flood = governor.newPacer();
        OutputGovernor.Pacer typist = governor.newPacer();
        for (int i = 0; i < 5; i++) {
            busyTick(flood, typist);
        }
        assertThat(governor.bulkRate()).isLessThan(OutputGovernor.UNPACED_BYTES_PER_SECOND / 4);
        assertThat(governor.delayNanos(flood, MIB)).as("the flood waits").isPositive();
        assertThat(governor.delayNanos(typist, 200)).as("an echo never waits").isZero();
    }

    @Test
    void aLoneFloodIsNeverPacedEvenWhenItsOwnOperatorTyped() {
        load = 1.0;
        OutputGovernor.Pacer flood = governor.newPacer();
        governor.inputSeen(flood); // typed "cat big.log", then it floods
        for (int i = 0; i < 20; i++) {
            busyTick(flood, null);
        }
        assertThat(governor.bulkRate()).isEqualTo(OutputGovernor.UNPACED_BYTES_PER_SECOND);
        assertThat(governor.delayNanos(flood, 8 * MIB)).isZero();
    }

    @Test
    void theRateStopsAtTheFloorAndRecoversOnceThePressureEases() {
        load = 0.99;
        OutputGovernor.Pacer flood = governor.newPacer();
        OutputGovernor.Pacer typist = governor.newPacer();
        for (int i = 0; i < 50; i++) {
            busyTick(flood, typist);
        }
        assertThat(governor.bulkRate()).isEqualTo(OutputGovernor.FLOOR_BYTES_PER_SECOND);
        load = 0.3;
        for (int i = 0; i < 50; i++) {
            busyTick(flood, typist);
        }
        assertThat(governor.bulkRate()).isEqualTo(OutputGovernor.UNPACED_BYTES_PER_SECOND);
    }

    @Test
    void pacedFloodsShareTheSameRateAndOutputWithinTheBurstIsFree() {
        load = 0.99;
        OutputGovernor.Pacer first = governor.newPacer();
        OutputGovernor.Pacer second = governor.newPacer();
        OutputGovernor.Pacer typist = governor.newPacer();
        for (int i = 0; i < 50; i++) {
            governor.delayNanos(second, MIB);
            busyTick(first, typist);
        }
        OutputGovernor.Pacer fresh = governor.newPacer();
        assertThat(governor.delayNanos(fresh, (int) OutputGovernor.BURST_BYTES)).as("a screenful within the burst").isZero();
        long firstWait = governor.delayNanos(first, 64 * 1024);
        long secondWait = governor.delayNanos(second, 64 * 1024);
        assertThat(firstWait).isPositive().isEqualTo(secondWait);
    }

    @Test
    void aReleasedSessionNoLongerCountsAsTyping() {
        load = 0.99;
        OutputGovernor.Pacer flood = governor.newPacer();
        OutputGovernor.Pacer typist = governor.newPacer();
        governor.inputSeen(typist);
        governor.release(typist);
        for (int i = 0; i < 5; i++) {
            busyTick(flood, null);
        }
        assertThat(governor.bulkRate()).isEqualTo(OutputGovernor.UNPACED_BYTES_PER_SECOND);
    }

    @Test
    void aSessionIsNotPacedForTheCommandItsOwnOperatorJustTyped() {
        load = 0.99;
        OutputGovernor.Pacer flood = governor.newPacer();
        governor.inputSeen(flood); // "cat big.log": the tick ends before the output starts
        tick();
        assertThat(governor.bulkRate()).isLessThan(OutputGovernor.UNPACED_BYTES_PER_SECOND);
        assertThat(governor.delayNanos(flood, 8 * MIB)).isZero();
    }

    @Test
    void aPacedFloodWhoseOperatorPressesKeysDoesNotPaceTheOthers() {
        load = 0.99;
        OutputGovernor.Pacer flood = governor.newPacer();
        OutputGovernor.Pacer other = governor.newPacer();
        OutputGovernor.Pacer typist = governor.newPacer();
        for (int i = 0; i < 20; i++) {
            governor.delayNanos(other, MIB);
            busyTick(flood, typist);
        }
        now.addAndGet(TimeUnit.SECONDS.toNanos(3)); // the typist has gone quiet
        // The flood's operator hits Ctrl-C while pacing holds its output under the bulk threshold.
        governor.inputSeen(flood);
        assertThat(governor.delayNanos(flood, 16 * 1024)).as("still paced").isPositive();
        tick();
        assertThat(governor.delayNanos(other, 64 * 1024)).as("nobody else types").isZero();
    }

    @Test
    void aDisabledGovernorIsNeverStarted() {
        OutputGovernor off = new OutputGovernor(false, OutputGovernor.machineCpuLoad(), System::nanoTime);
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        try {
            off.start(scheduler);
            assertThat(scheduler.getQueue()).isEmpty();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
