package devicetunnel.relay.auth;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.fleet.LabelSelector;
import devicetunnel.relay.store.Device;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Step-up: sessions on devices matching {@code --step-up-selector} (e.g. {@code env=prod}) need a
 * second factor checked within {@code --step-up-max-age}. A login that is older asks again
 * ({@link ErrorCode#STEP_UP_REQUIRED}; {@code POST /api/v1/auth/step-up} renews it). API tokens
 * and external issuers' tokens carry no time of a factor of this relay, so they are refused there.
 */
public final class StepUp {
    public static final StepUp NONE = new StepUp(null, devicetunnel.relay.RelayConfig.Identity.DEFAULT_STEP_UP_MAX_AGE,
            Clock.systemUTC());

    private final LabelSelector selector;
    private final Duration maxAge;
    private final Clock clock;

    /** {@code selector}: null for no step-up anywhere. */
    public StepUp(LabelSelector selector, Duration maxAge, Clock clock) {
        this.selector = selector;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    public boolean applies(Device device) {
        return selector != null && selector.matches(device.labels());
    }

    /** Throws {@link ErrorCode#STEP_UP_REQUIRED} unless this operator may open a session on the device now. */
    public void check(Operator operator, Device device) {
        if (!applies(device)) {
            return;
        }
        Instant at = operator.factorAt();
        if (operator.viaApiToken()) {
            throw new TunnelException(ErrorCode.STEP_UP_REQUIRED, "Device " + device.id()
                    + " needs a recent second factor, which API tokens cannot give: use an interactive login.");
        }
        if (at == null || at.plus(maxAge).isBefore(clock.instant())) {
            throw new TunnelException(ErrorCode.STEP_UP_REQUIRED, "Device " + device.id() + " (" + selector
                    + ") needs your second factor checked within " + maxAge.toMinutes() + " min: confirm it again.");
        }
    }

    /**
     * For changes to how the account signs in (its passkeys, its authenticator app) once it has a factor:
     * the login's factor must be as recent as step-up asks, so a stolen session cookie cannot add
     * its thief's own key.
     */
    public void requireRecent(Operator operator) {
        Instant at = operator.factorAt();
        if (at == null || at.plus(maxAge).isBefore(clock.instant())) {
            throw new TunnelException(ErrorCode.STEP_UP_REQUIRED, "Confirm your second factor again to change how you sign in.");
        }
    }
}
