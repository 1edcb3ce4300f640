package devicetunnel.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Ceremonies.Purpose;
import devicetunnel.relay.store.ChallengeStore;
import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.EmbeddedStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ceremony state on the embedded store: single use, bound to purpose and account, expiring. */
class CeremoniesTest {
    @TempDir
    Path dir;
    Database db;
    Instant now = Instant.parse("2026-11-30T10:00:00Z");
    Ceremonies ceremonies;

    @BeforeEach
    void open() {
        db = EmbeddedStore.open(dir);
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now; }
        };
        ceremonies = new Ceremonies(new ChallengeStore(db.dataSource()), clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void theChallengeComesBackOnceForItsPurposeAndAccount() {
        Ceremonies.Begun begun = ceremonies.begin(Purpose.STEP_UP, "olga");
        assertThat(begun.challenge()).hasSize(32);
        assertThat(Base64.getUrlDecoder().decode(begun.challengeText())).isEqualTo(begun.challenge());
        assertThat(ceremonies.finish(begun.id(), Purpose.STEP_UP, "olga")).isEqualTo(begun.challenge());
        assertRefused(() -> ceremonies.finish(begun.id(), Purpose.STEP_UP, "olga"));
    }

    @Test
    void anotherPurposeOrAccountUsesTheCeremonyUpWithoutPassing() {
        Ceremonies.Begun forOlga = ceremonies.begin(Purpose.SECOND_FACTOR, "olga");
        assertRefused(() -> ceremonies.finish(forOlga.id(), Purpose.SECOND_FACTOR, "mallory"));
        assertRefused(() -> ceremonies.finish(forOlga.id(), Purpose.SECOND_FACTOR, "olga"));
        Ceremonies.Begun registering = ceremonies.begin(Purpose.REGISTER, "olga");
        assertRefused(() -> ceremonies.finish(registering.id(), Purpose.STEP_UP, "olga"));
        Ceremonies.Begun login = ceremonies.begin(Purpose.LOGIN, null);
        assertRefused(() -> ceremonies.finish(login.id(), Purpose.LOGIN, "olga"));
    }

    @Test
    void anExpiredOrUnknownCeremonyIsRefused() {
        Ceremonies.Begun begun = ceremonies.begin(Purpose.LOGIN, null);
        Ceremonies.Begun other = ceremonies.begin(Purpose.LOGIN, null);
        assertThat(begun.challenge()).isNotEqualTo(other.challenge());
        now = now.plus(Ceremonies.LIFETIME).plus(Duration.ofMillis(1));
        assertRefused(() -> ceremonies.finish(begun.id(), Purpose.LOGIN, null));
        assertRefused(() -> ceremonies.finish("0123456789abcdef0123456789abcdef", Purpose.LOGIN, null));
        assertRefused(() -> ceremonies.finish(null, Purpose.LOGIN, null));
        assertRefused(() -> ceremonies.finish("x".repeat(1000), Purpose.LOGIN, null));
    }

    @Test
    void theFirstUserHandleIsRandomNotTheName() {
        Ceremonies.Begun a = ceremonies.begin(Purpose.REGISTER, "olga");
        Ceremonies.Begun b = ceremonies.begin(Purpose.REGISTER, "olga");
        assertThat(Passkeys.firstHandle(a.challenge())).isEqualTo(Passkeys.firstHandle(a.challenge()))
                .isNotEqualTo(Passkeys.firstHandle(b.challenge())).doesNotContain("olga").hasSize(43);
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(TunnelException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }
}
