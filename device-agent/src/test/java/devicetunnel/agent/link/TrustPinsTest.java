package devicetunnel.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.TrustRotation;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Keys pinned at enrollment move only by a rotation signed with a pinned relay key, and then on disk first. */
@Timeout(30)
class TrustPinsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    private final KeyPair relayKey = KeyFiles.generate();
    private final KeyPair caKey = KeyFiles.generate();
    private final KeyPair newRelayKey = KeyFiles.generate();
    private final KeyPair newCaKey = KeyFiles.generate();
    private Enrollment enrollment;

    @BeforeEach
    void enroll() throws Exception {
        enrollment = new Enrollment(HttpClient.newHttpClient(), RelayEndpoint.parse("http://127.0.0.1:1", false), state,
                "dev-1", "ssh-ed25519 AAAA", null, Duration.ofSeconds(1));
    }

    @Test
    void theEnrolledKeysAreTrusted() throws Exception {
        TrustPins pins = pinned(List.of(line(relayKey)), List.of(line(caKey)));
        TrustPins.Verdict verdict = pins.check(welcome(List.of(line(relayKey) + " relay"), List.of(line(caKey)), null));
        assertThat(verdict.trusted()).isTrue();
        assertThat(verdict.relayKeys()).containsExactly(line(relayKey));
    }

    @Test
    void aWelcomeMayNameFewerKeysButTheAgentTrustsOnlyThose() throws Exception {
        TrustPins pins = pinned(List.of(line(relayKey)), List.of(line(caKey)));
        TrustPins.Verdict verdict = pins.check(welcome(List.of(line(relayKey)), List.of(), null));
        assertThat(verdict.trusted()).isTrue();
        assertThat(verdict.userCaKeys()).isEmpty();
    }

    @Test
    void anotherRelayKeyWithoutRotationIsRefusedAndNothingIsRepinned() throws Exception {
        TrustPins pins = pinned(List.of(line(relayKey)), List.of(line(caKey)));
        TrustPins.Verdict verdict = pins.check(welcome(List.of(line(newRelayKey)), List.of(line(caKey)), null));
        assertThat(verdict.trusted()).isFalse();
        assertThat(verdict.refusal()).contains("not pinned at enrollment");
        assertThat(onDisk().relayKeys()).containsExactly(line(relayKey));
    }

    @Test
    void anotherCaKeyWithoutRotationIsRefused() throws Exception {
        TrustPins pins = pinned(List.of(line(relayKey)), List.of(line(caKey)));
        assertThat(pins.check(welcome(List.of(line(relayKey)), List.of(line(newCaKey)), null)).trusted()).isFalse();
    }

    @Test
    void aRotationSignedByThePinnedRelayKeyIsAcceptedAndRepinnedOnDisk() throws Exception {
        TrustPins pins = pinned(List.of(line(relayKey)), List.of(line(caKey)));
        List<String> keys = List.of(line(newRelayKey));
        List<String> cas = List.of(line(newCaKey));
        TrustPins.Verdict verdict = pins.check(welcome(keys, cas, TrustRotation.sign(keys, cas, relayKey.getPrivate())));
        assertThat(verdict.trusted()).isTrue();
        assertThat(onDisk().relayKeys()).containsExactly(line(newRelayKey));
        assertThat(onDisk().userCaKeys()).containsExactly(line(newCaKey));
        // The old key is no longer pinned: it cannot come back without a rotation signed by the new one.
        assertThat(pins.check(welcome(List.of(line(relayKey)), cas, null)).trusted()).isFalse();
    }

    @Test
    void aRotationSignedByAnotherKeyIsRefused() throws Exception {
        TrustPins pins = pinned(List.of(line(relayKey)), List.of(line(caKey)));
        List<String> keys = List.of(line(newRelayKey));
        List<String> cas = List.of(line(caKey));
        TrustPins.Verdict verdict = pins.check(welcome(keys, cas, TrustRotation.sign(keys, cas, newRelayKey.getPrivate())));
        assertThat(verdict.trusted()).isFalse();
        assertThat(verdict.refusal()).contains("not signed by a pinned relay key");
        assertThat(onDisk().relayKeys()).containsExactly(line(relayKey));
    }

    @Test
    void aRotationWithATamperedSignatureOrOtherKeysIsRefused() throws Exception {
        TrustPins pins = pinned(List.of(line(relayKey)), List.of(line(caKey)));
        List<String> keys = List.of(line(newRelayKey));
        List<String> cas = List.of(line(caKey));
        TrustRotation signed = TrustRotation.sign(keys, cas, relayKey.getPrivate());
        TrustRotation unsigned = new TrustRotation(keys, cas, null);
        TrustRotation otherKeys = new TrustRotation(List.of(line(KeyFiles.generate())), cas, signed.signature());
        assertThat(pins.check(welcome(keys, cas, unsigned)).trusted()).isFalse();
        assertThat(pins.check(welcome(keys, cas, otherKeys)).trusted()).isFalse();
        assertThat(pins.check(welcome(otherKeys.relayKeys(), cas, otherKeys)).trusted()).isFalse();
    }

    @Test
    void aRecordFromBeforeCaPinningGainsTheCaOnlyFromTheSignedStatement() throws Exception {
        TrustPins pins = pinned(List.of(line(relayKey)), null);
        List<String> keys = List.of(line(relayKey));
        List<String> cas = List.of(line(caKey));
        assertThat(pins.check(welcome(keys, cas, null)).trusted()).isFalse();
        assertThat(pins.check(welcome(keys, cas, TrustRotation.sign(keys, cas, KeyFiles.generate().getPrivate()))).trusted()).isFalse();
        assertThat(pins.check(welcome(keys, cas, TrustRotation.sign(keys, cas, relayKey.getPrivate()))).trusted()).isTrue();
        assertThat(onDisk().userCaKeys()).containsExactly(line(caKey));
    }

    private TrustPins pinned(List<String> relayKeys, List<String> caKeys) throws Exception {
        Enrollment.Record record = new Enrollment.Record("http://127.0.0.1:1", "dev-1", relayKeys, caKeys);
        enrollment.repin(record);
        return new TrustPins(enrollment, enrollment.load().orElseThrow());
    }

    private Enrollment.Record onDisk() throws Exception {
        return JSON.readValue(state.resolve(Enrollment.RECORD_FILE).toFile(), Enrollment.Record.class);
    }

    private static ControlMessage.Welcome welcome(List<String> keys, List<String> cas, TrustRotation rotation) {
        return new ControlMessage.Welcome(1, 25_000, keys, cas, DeviceFeatures.DEFAULTS, rotation);
    }

    private static String line(KeyPair key) {
        return TrustRotation.line(key.getPublic());
    }
}
