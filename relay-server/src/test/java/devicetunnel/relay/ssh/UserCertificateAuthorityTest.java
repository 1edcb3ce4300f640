package devicetunnel.relay.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.TunnelException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60) // generates RSA and DSA keys: seconds on a loaded 2-core machine
class UserCertificateAuthorityTest {
    private final KeyPair caKey = KeyFiles.generate();
    private final Instant now = Instant.parse("2026-11-23T12:00:00Z");
    private final UserCertificateAuthority ca = new UserCertificateAuthority(caKey, Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void signsAShortLivedUserCertificateForTheOperatorOnly() throws Exception {
        KeyPair operator = KeyFiles.generate();
        UserCertificateAuthority.Issued issued = ca.sign("alice", PublicKeyEntry.toString(operator.getPublic()));
        OpenSshCertificate cert = (OpenSshCertificate) AuthorizedKeyEntry.parseAuthorizedKeyEntry(issued.certificate())
                .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        assertThat(issued.certificate()).startsWith("ssh-ed25519-cert-v01@openssh.com ");
        assertThat(cert.getType()).isEqualTo(OpenSshCertificate.Type.USER);
        assertThat(cert.getPrincipals()).containsExactly("alice");
        assertThat(cert.getId()).startsWith("devtunnel:alice:");
        assertThat(KeyUtils.compareKeys(cert.getCaPubKey(), caKey.getPublic())).isTrue();
        assertThat(KeyUtils.compareKeys(cert.getCertPubKey(), operator.getPublic())).isTrue();
        assertThat(cert.getValidBefore()).isEqualTo(issued.validBefore().getEpochSecond());
        assertThat(issued.validBefore()).isEqualTo(now.plus(UserCertificateAuthority.VALIDITY));
        assertThat(OpenSshCertificate.isValidAt(cert, now)).isTrue();
        assertThat(OpenSshCertificate.isValidAt(cert, now.plus(UserCertificateAuthority.VALIDITY).plusSeconds(1))).isFalse();
    }

    @Test
    void signsOnlyStrongKeyTypes() throws Exception {
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        java.security.KeyPairGenerator dsa = java.security.KeyPairGenerator.getInstance("DSA");
        dsa.initialize(2048);
        for (KeyPair weak : new KeyPair[] {rsa.generateKeyPair(), dsa.generateKeyPair()}) {
            assertThatThrownBy(() -> ca.sign("alice", PublicKeyEntry.toString(weak.getPublic())))
                    .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        rsa.initialize(3072);
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        for (KeyPair strong : new KeyPair[] {rsa.generateKeyPair(), ec.generateKeyPair(), KeyFiles.generate()}) {
            assertThat(ca.sign("alice", PublicKeyEntry.toString(strong.getPublic())).certificate()).contains("-cert-v01@openssh.com ");
        }
    }

    @Test
    void permitsPortForwardingOnlyWhenAskedFor() throws Exception {
        String key = PublicKeyEntry.toString(KeyFiles.generate().getPublic());
        assertThat(extensions(ca.sign("alice", key).certificate())).containsExactly("permit-pty");
        assertThat(extensions(ca.sign("alice", key, true).certificate()))
                .containsExactlyInAnyOrder("permit-pty", "permit-port-forwarding");
    }

    private static java.util.List<String> extensions(String certificate) throws Exception {
        OpenSshCertificate cert = (OpenSshCertificate) AuthorizedKeyEntry.parseAuthorizedKeyEntry(certificate)
                .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        return cert.getExtensions().stream().map(OpenSshCertificate.CertificateOption::getName).toList();
    }

    @Test
    void refusesWhatIsNotAPlainPublicKey() throws Exception {
        String certificate = ca.sign("alice", PublicKeyEntry.toString(KeyFiles.generate().getPublic())).certificate();
        for (String bad : new String[] {"", "garbage", "ssh-ed25519 not-base64!", certificate, "x".repeat(9000)}) {
            assertThatThrownBy(() -> ca.sign("alice", bad)).isInstanceOfSatisfying(TunnelException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }
}
