package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TrustRotationTest {
    private final KeyPair signer = KeyFiles.generate();
    private final String signerLine = TrustRotation.line(signer.getPublic());
    private final String relayKey = TrustRotation.line(KeyFiles.generate().getPublic());
    private final String caKey = TrustRotation.line(KeyFiles.generate().getPublic());

    @Test
    void aStatementVerifiesUnderItsSignerOnly() {
        TrustRotation rotation = TrustRotation.sign(List.of(relayKey), List.of(caKey), signer.getPrivate());
        assertThat(rotation.signedBy(signerLine)).isTrue();
        assertThat(rotation.signedBy(relayKey)).as("another Ed25519 key").isFalse();
        assertThat(rotation.signedBy("not a key")).isFalse();
    }

    @Test
    void keyOrderCommentsAndDuplicatesDoNotChangeWhatIsSigned() {
        TrustRotation rotation = TrustRotation.sign(List.of(relayKey, signerLine), List.of(caKey), signer.getPrivate());
        TrustRotation reordered = new TrustRotation(List.of(signerLine + " a comment", relayKey, relayKey),
                List.of(caKey + " ca@example"), rotation.signature());
        assertThat(reordered.signedBy(signerLine)).isTrue();
    }

    @Test
    void aKeySlippedIntoEitherListBreaksTheSignature() {
        TrustRotation rotation = TrustRotation.sign(List.of(relayKey), List.of(caKey), signer.getPrivate());
        String intruder = TrustRotation.line(KeyFiles.generate().getPublic());
        assertThat(new TrustRotation(List.of(relayKey, intruder), rotation.userCaKeys(), rotation.signature())
                .signedBy(signerLine)).isFalse();
        assertThat(new TrustRotation(rotation.relayKeys(), List.of(caKey, intruder), rotation.signature())
                .signedBy(signerLine)).isFalse();
        // The lists are labelled, so moving a key from one list to the other is a different statement.
        assertThat(new TrustRotation(List.of(caKey), List.of(relayKey), rotation.signature()).signedBy(signerLine)).isFalse();
    }

    @Test
    void incompleteStatementsNeverVerify() {
        TrustRotation rotation = TrustRotation.sign(List.of(relayKey), List.of(caKey), signer.getPrivate());
        assertThat(new TrustRotation(null, List.of(caKey), rotation.signature()).signedBy(signerLine)).isFalse();
        assertThat(new TrustRotation(List.of(relayKey), List.of(caKey), null).signedBy(signerLine)).isFalse();
        assertThat(new TrustRotation(List.of(relayKey), List.of(caKey), "!!not base64").signedBy(signerLine)).isFalse();
    }

    @Test
    void unparsableKeyLinesNeverMatchARealKey() {
        assertThat(TrustRotation.normalize("garbage")).startsWith("invalid:");
        assertThat(TrustRotation.normalized(List.of(relayKey + " comment", relayKey))).containsExactly(relayKey);
    }
}
