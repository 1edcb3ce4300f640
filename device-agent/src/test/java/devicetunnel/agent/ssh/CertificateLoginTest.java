package devicetunnel.agent.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.KeyFiles;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.apache.sshd.certificate.OpenSshCertificateBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The device's SSH server takes operators' user certificates from the relay's CA, and only those:
 * MINA hands the authenticator the certificate itself, so CA, principal, type and validity are ours
 * to check. Also: the admin's switches refuse exec and SFTP.
 */
@Timeout(60)
class CertificateLoginTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final KeyPair hostKey = KeyFiles.generate();
    private final KeyPair relayCa = KeyFiles.generate();
    private final KeyPair operatorKey = KeyFiles.generate();
    private DeviceSshServer server;
    private SshClient client;

    @BeforeEach
    void start() throws Exception {
        server = new DeviceSshServer(hostKey, List.of("/bin/sh"), false);
        server.setUserCaKeys(List.of(relayCa.getPublic()));
        server.start();
        // Ask for a reply to exec requests, so a refused one closes the channel instead of hanging.
        client = TestClients.pinned(hostKey.getPublic(), c -> CoreModuleProperties.REQUEST_EXEC_REPLY.set(c, true));
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        server.close();
    }

    @Test
    void certificateFromTheRelayCaForThisUserLogsIn() throws Exception {
        KeyPair certified = certify(relayCa, "alice", OpenSshCertificateBuilder.userCertificate(), Instant.now().plusSeconds(600));
        assertThat(certified.getPublic()).isInstanceOf(OpenSshCertificate.class);
        try (ClientSession session = login("alice", certified)) {
            assertThat(exec(session, "echo cert-$((40+2))")).isEqualTo("cert-42\n");
        }
    }

    @Test
    void certificateForAnotherUserIsRefused() throws Exception {
        KeyPair certified = certify(relayCa, "alice", OpenSshCertificateBuilder.userCertificate(), Instant.now().plusSeconds(600));
        assertThatThrownBy(() -> login("bob", certified)).isInstanceOf(Exception.class);
    }

    @Test
    void certificateFromAnotherCaIsRefused() {
        KeyPair rogueCa = KeyFiles.generate();
        assertThatThrownBy(() -> login("alice",
                certify(rogueCa, "alice", OpenSshCertificateBuilder.userCertificate(), Instant.now().plusSeconds(600))))
                .isInstanceOf(Exception.class);
    }

    @Test
    void expiredCertificateIsRefused() {
        assertThatThrownBy(() -> login("alice",
                certify(relayCa, "alice", OpenSshCertificateBuilder.userCertificate(), Instant.now().minusSeconds(60))))
                .isInstanceOf(Exception.class);
    }

    @Test
    void hostCertificateAndBareKeyAreRefused() {
        assertThatThrownBy(() -> login("alice",
                certify(relayCa, "alice", OpenSshCertificateBuilder.hostCertificate(), Instant.now().plusSeconds(600))))
                .isInstanceOf(Exception.class);
        assertThatThrownBy(() -> login("alice", operatorKey)).isInstanceOf(Exception.class);
    }

    @Test
    void featureSwitchesRefuseExecAndSftp() throws Exception {
        KeyPair certified = certify(relayCa, "alice", OpenSshCertificateBuilder.userCertificate(), Instant.now().plusSeconds(600));
        server.setFeatures(new DeviceFeatures(false, false, false));
        try (ClientSession session = login("alice", certified)) {
            assertThat(exec(session, "echo refused")).isNull();
            assertThatThrownBy(() -> SftpClientFactory.instance().createSftpClient(session)).isInstanceOf(Exception.class);
        }
        server.setFeatures(new DeviceFeatures(true, true, false));
        try (ClientSession session = login("alice", certified)) {
            assertThat(exec(session, "echo back")).isEqualTo("back\n");
            SftpClientFactory.instance().createSftpClient(session).close();
        }
    }

    private KeyPair certify(KeyPair ca, String principal, OpenSshCertificateBuilder builder, Instant validBefore) throws Exception {
        OpenSshCertificate certificate = builder
                .publicKey(operatorKey.getPublic())
                .serial(7)
                .id("test:" + principal)
                .principals(List.of(principal))
                .validAfter(validBefore.minus(Duration.ofMinutes(20)))
                .validBefore(validBefore)
                .sign(ca);
        return new KeyPair(certificate, operatorKey.getPrivate());
    }

    private ClientSession login(String user, KeyPair identity) throws Exception {
        ClientSession session = client.connect(user, "127.0.0.1", server.port()).verify(WAIT).getSession();
        try {
            session.addPublicKeyIdentity(identity);
            session.auth().verify(WAIT);
            return session;
        } catch (Exception e) {
            session.close(true);
            throw e;
        }
    }

    /** The command's output, or null when the server refused to run it (no exit status). */
    private static String exec(ClientSession session, String command) throws Exception {
        try (ChannelExec channel = session.createExecChannel(command)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            channel.setOut(out);
            channel.setErr(new ByteArrayOutputStream());
            channel.open().verify(WAIT);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), WAIT);
            return channel.getExitStatus() == null ? null : out.toString(StandardCharsets.UTF_8);
        }
    }
}
