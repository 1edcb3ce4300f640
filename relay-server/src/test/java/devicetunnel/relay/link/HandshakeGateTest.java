package devicetunnel.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HandshakeGateTest {
    private final AtomicLong now = new AtomicLong();
    private final HandshakeGate gate = new HandshakeGate(2, TimeUnit.SECONDS.toNanos(10), now::get);

    @Test
    void letsInUpToTheBoundAndAgainOnceATicketIsHandedBack() {
        Object a = gate.tryEnter();
        Object b = gate.tryEnter();
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(gate.tryEnter()).isNull();
        gate.leave(a);
        gate.leave(a); // twice: harmless, frees nothing more
        gate.leave(null);
        assertThat(gate.tryEnter()).isNotNull();
        assertThat(gate.tryEnter()).isNull();
        assertThat(gate.inFlight()).isEqualTo(2);
    }

    @Test
    void aTicketNeverHandedBackExpiresSoALeakCannotShrinkTheBoundForGood() {
        gate.tryEnter();
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        gate.tryEnter();
        assertThat(gate.tryEnter()).isNull();
        now.addAndGet(TimeUnit.SECONDS.toNanos(5)); // the first one's ten seconds are up
        assertThat(gate.tryEnter()).isNotNull();
        assertThat(gate.tryEnter()).isNull();
    }
}
