package devicetunnel.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HandshakeGateTest {
    private final AtomicLong now = new AtomicLong();
    private final HandshakeGate gate = new HandshakeGate(2, HandshakeGate.defaultShellReserve(2), TimeUnit.SECONDS.toNanos(10), now::get);

    @Test
    void letsInUpToTheBoundAndAgainOnceATicketIsHandedBack() {
        Object a = gate.tryEnter(false);
        Object b = gate.tryEnter(false);
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(gate.tryEnter(false)).isNull();
        gate.leave(a);
        gate.leave(a); // twice: harmless, frees nothing more
        gate.leave(null);
        assertThat(gate.tryEnter(false)).isNotNull();
        assertThat(gate.tryEnter(false)).isNull();
        assertThat(gate.inFlight()).isEqualTo(2);
    }

    @Test
    void aTicketNeverHandedBackExpiresSoALeakCannotShrinkTheBoundForGood() {
        gate.tryEnter(false);
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        gate.tryEnter(false);
        assertThat(gate.tryEnter(false)).isNull();
        now.addAndGet(TimeUnit.SECONDS.toNanos(5)); // the first one's ten seconds are up
        assertThat(gate.tryEnter(false)).isNotNull();
        assertThat(gate.tryEnter(false)).isNull();
    }

    @Test
    void devicesWithShellsToResumeMayTakeAReserveIdleDevicesCannot() {
        HandshakeGate bound16 = new HandshakeGate(16, HandshakeGate.defaultShellReserve(16), TimeUnit.SECONDS.toNanos(10), now::get);
        for (int i = 0; i < 16; i++) {
            assertThat(bound16.tryEnter(false)).isNotNull();
        }
        assertThat(bound16.tryEnter(false)).as("idle devices stop at the bound").isNull();
        for (int i = 0; i < 4; i++) {
            assertThat(bound16.tryEnter(true)).as("a quarter more for shells").isNotNull();
        }
        assertThat(bound16.tryEnter(true)).as("the reserve is bounded too").isNull();
        assertThat(bound16.inFlight()).isEqualTo(20);

        assertThat(gate.tryEnter(true)).isNotNull();
        assertThat(gate.tryEnter(true)).isNotNull();
        assertThat(gate.tryEnter(false)).isNull();
        assertThat(gate.tryEnter(true)).as("a small bound still has a reserve of 4").isNotNull();
    }

    @Test
    void noReserveMeansShellsWaitLikeEveryoneElse() {
        HandshakeGate none = new HandshakeGate(1, 0, TimeUnit.SECONDS.toNanos(10), now::get);
        assertThat(none.tryEnter(true)).isNotNull();
        assertThat(none.tryEnter(true)).isNull();
    }
}
