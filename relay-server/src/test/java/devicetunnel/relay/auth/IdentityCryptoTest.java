package devicetunnel.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.relay.store.User;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The small pieces second factors and API tokens rest on, checked against published vectors where there are some. */
@Timeout(30)
class IdentityCryptoTest {
    private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    private static Totp totpAt(long epochSecond) {
        return new Totp(Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
    }

    @Test
    void totpMatchesRfc6238VectorsAndOneStepOfDrift() {
        // RFC 6238 appendix B (SHA-1): 94287082 at T=59 and 07081804 at T=1111111109; six digits are the last six.
        assertThat(totpAt(59).matchingStep(RFC_SECRET, "287082")).hasValue(1);
        assertThat(totpAt(1111111109).matchingStep(RFC_SECRET, "081804")).hasValue(37037036);
        assertThat(totpAt(59 + 30).matchingStep(RFC_SECRET, "287082")).as("one step late").hasValue(1);
        assertThat(totpAt(59 + 60).matchingStep(RFC_SECRET, "287082")).as("two steps late").isEmpty();
        assertThat(totpAt(59).matchingStep(RFC_SECRET, "28708")).isEmpty();
        assertThat(totpAt(59).matchingStep(RFC_SECRET, "abcdef")).isEmpty();
    }

    @Test
    void otpauthUriCarriesTheBase32SecretAndIssuer() {
        assertThat(Totp.uri("device-tunnel", "al ice", RFC_SECRET))
                .isEqualTo("otpauth://totp/device-tunnel:al%20ice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                        + "&issuer=device-tunnel&algorithm=SHA1&digits=6&period=30");
    }

    @Test
    void sealedSecretsOpenOnlyWithTheSameKeyAndOwner() {
        SecretBox box = new SecretBox(new byte[32]);
        String sealed = box.seal(RFC_SECRET, "alice");
        assertThat(sealed).startsWith("v1:").doesNotContain("12345678901234567890");
        assertThat(box.open(sealed, "alice")).isEqualTo(RFC_SECRET);
        assertThat(box.seal(RFC_SECRET, "alice")).as("a fresh IV each time").isNotEqualTo(sealed);
        assertThatThrownBy(() -> box.open(sealed, "mallory")).isInstanceOf(IllegalStateException.class);
        byte[] other = new byte[32];
        other[0] = 1;
        assertThatThrownBy(() -> new SecretBox(other).open(sealed, "alice")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTokenActsWithTheLesserOfItsScopesAndItsOwnersRole() {
        Set<Scope> all = EnumSet.allOf(Scope.class);
        assertThat(Scope.effectiveRole(Set.of(Scope.DEVICES_READ), User.Role.ADMIN)).isEqualTo(User.Role.VIEWER);
        assertThat(Scope.effectiveRole(Set.of(Scope.SESSIONS_OPEN), User.Role.ADMIN)).isEqualTo(User.Role.OPERATOR);
        assertThat(Scope.effectiveRole(all, User.Role.ADMIN)).isEqualTo(User.Role.ADMIN);
        assertThat(Scope.effectiveRole(all, User.Role.OPERATOR)).isEqualTo(User.Role.OPERATOR);
        assertThat(Scope.effectiveRole(Set.of(Scope.ADMIN), User.Role.VIEWER)).isEqualTo(User.Role.VIEWER);
        assertThat(Scope.effectiveRole(Set.of(), User.Role.ADMIN)).isEqualTo(User.Role.VIEWER);
    }

    @Test
    void recoveryCodesAreTenDistinctAndNormaliseAsTyped() {
        var codes = new RecoveryCodes().generate();
        assertThat(codes).hasSize(10).doesNotHaveDuplicates().allMatch(c -> c.matches("[a-z2-9]{5}-[a-z2-9]{5}"));
        assertThat(RecoveryCodes.normalise(" ABCDE-fghjk ")).isEqualTo("abcdefghjk");
        assertThat(RecoveryCodes.looksLike("abcde-fghjk")).isTrue();
        assertThat(RecoveryCodes.looksLike("123456")).isFalse();
    }
}
