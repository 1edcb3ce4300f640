package devicetunnel.agent.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.KeyFiles;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The device's SSHD lets in the relay's key and nothing else: no other key, no password. */
@Timeout(60)
class DeviceSshServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final KeyPair relayKey = KeyFiles.generate();
    private DeviceSshServer server;
    private SshClient client;

    @BeforeEach
    void start() throws Exception {
        server = new DeviceSshServer(KeyFiles.generate(), List.of("/bin/true"), false);
        server.setAuthorizedKeys(List.of(relayKey.getPublic()));
        server.start();
        client = SshClient.setUpDefaultClient();
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        server.close();
    }

    @Test
    void acceptsTheRelayKey() throws Exception {
        try (ClientSession session = connect()) {
            session.addPublicKeyIdentity(relayKey);
            assertThat(session.auth().verify(WAIT).isSuccess()).isTrue();
        }
    }

    @Test
    void refusesAnyOtherKey() throws Exception {
        try (ClientSession session = connect()) {
            session.addPublicKeyIdentity(KeyFiles.generate());
            assertThatThrownBy(() -> session.auth().verify(WAIT)).hasMessageContaining("No more authentication methods");
        }
    }

    @Test
    void refusesPasswords() throws Exception {
        try (ClientSession session = connect()) {
            session.addPasswordIdentity("root");
            assertThatThrownBy(() -> session.auth().verify(WAIT)).hasMessageContaining("No more authentication methods");
        }
    }

    private ClientSession connect() throws Exception {
        return client.connect("relay", "127.0.0.1", server.port()).verify(WAIT).getSession();
    }
}
