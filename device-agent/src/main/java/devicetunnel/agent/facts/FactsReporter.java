package devicetunnel.agent.facts;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.DeviceFacts;
import devicetunnel.protocol.Periodic;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Sends the device's facts on each welcomed link, then checks them at the interval the relay asked
 * for and sends them again only when they changed. A relay that asked for none (older ones) gets
 * none. Everything runs on the link's single scheduler thread, so the state needs no lock.
 * {@code send} must drop what it cannot deliver to a trusted relay (facts are for the real one only).
 */
public final class FactsReporter {
    private final Supplier<DeviceFacts> facts;
    private final Consumer<ControlMessage> send;
    private final ScheduledExecutorService scheduler;
    private ScheduledFuture<?> checks;
    private DeviceFacts lastSent;

    public FactsReporter(Supplier<DeviceFacts> facts, Consumer<ControlMessage> send, ScheduledExecutorService scheduler) {
        this.facts = facts;
        this.send = send;
        this.scheduler = scheduler;
    }

    /** A relay welcomed the device: it has no facts from this link yet. */
    public void welcomed(long intervalMillis) {
        scheduler.execute(() -> {
            if (checks != null) {
                checks.cancel(false);
                checks = null;
            }
            lastSent = null;
            if (intervalMillis > 0) {
                Periodic.guarded("facts check", this::check).run();
                checks = Periodic.every(scheduler, "facts check", Duration.ofMillis(intervalMillis), this::check);
            }
        });
    }

    private void check() {
        DeviceFacts now = facts.get();
        if (!now.equals(lastSent)) {
            send.accept(new ControlMessage.Facts(ControlCodec.tree(now)));
            lastSent = now;
        }
    }
}
