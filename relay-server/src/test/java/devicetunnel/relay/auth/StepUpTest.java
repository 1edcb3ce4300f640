package devicetunnel.relay.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.fleet.LabelSelector;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.User;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepUpTest {
    static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");
    final StepUp stepUp = new StepUp(LabelSelector.parse("env=prod"), Duration.ofMinutes(15), Clock.fixed(NOW, ZoneOffset.UTC));
    final Device prod = device("prod-1", Map.of("env", "prod"));
    final Device dev = device("dev-1", Map.of("env", "dev"));

    @Test
    void onlyLabelledDevicesAskAndOnlyWhenTheFactorIsOld() {
        assertThatCode(() -> stepUp.check(login(null), dev)).doesNotThrowAnyException();
        assertThatCode(() -> stepUp.check(login(NOW.minus(Duration.ofMinutes(14))), prod)).doesNotThrowAnyException();
        assertStepUp(() -> stepUp.check(login(NOW.minus(Duration.ofMinutes(16))), prod));
        assertStepUp(() -> stepUp.check(login(null), prod));
    }

    @Test
    void apiTokensCannotStepUpSoLabelledDevicesRefuseThem() {
        Operator token = new Operator("olga", User.Role.OPERATOR, NOW.plusSeconds(600), -1, "tok1",
                EnumSet.allOf(Scope.class), false, null);
        assertStepUp(() -> stepUp.check(token, prod));
        assertThatCode(() -> stepUp.check(token, dev)).doesNotThrowAnyException();
    }

    @Test
    void changingPasskeysNeedsARecentFactorWhateverTheDevice() {
        assertThatCode(() -> stepUp.requireRecent(login(NOW))).doesNotThrowAnyException();
        assertStepUp(() -> stepUp.requireRecent(login(NOW.minus(Duration.ofHours(1)))));
        assertStepUp(() -> StepUp.NONE.requireRecent(login(null)));
        assertThatCode(() -> StepUp.NONE.check(login(null), prod)).doesNotThrowAnyException();
    }

    private static Operator login(Instant factorAt) {
        return new Operator("olga", User.Role.OPERATOR, NOW.plusSeconds(600), 1, null, EnumSet.allOf(Scope.class), false, factorAt);
    }

    private static Device device(String id, Map<String, String> labels) {
        return new Device(id, id, labels, "ssh-ed25519 AAAA", Device.Status.ACCEPTED, null);
    }

    private static void assertStepUp(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(TunnelException.class,
                e -> org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo(ErrorCode.STEP_UP_REQUIRED));
    }
}
