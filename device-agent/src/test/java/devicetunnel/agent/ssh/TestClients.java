package devicetunnel.agent.ssh;

import java.security.PublicKey;
import java.util.function.Consumer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;

/**
 * Started SSH clients for the agent's SSH server tests: no ~/.ssh config or keys of the machine,
 * identities added per session by the test.
 */
final class TestClients {
    private TestClients() {}

    /** Accepts any host key: for tests about what happens after the handshake. */
    static SshClient anyHostKey() {
        return started(null, c -> { });
    }

    /** Accepts only {@code hostKey}; {@code setup} runs before the client starts (algorithms, properties). */
    static SshClient pinned(PublicKey hostKey, Consumer<SshClient> setup) {
        return started(hostKey, setup);
    }

    private static SshClient started(PublicKey hostKey, Consumer<SshClient> setup) {
        SshClient client = SshClient.setUpDefaultClient();
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setServerKeyVerifier(hostKey == null ? AcceptAllServerKeyVerifier.INSTANCE : new RequiredServerKeyVerifier(hostKey));
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        setup.accept(client);
        client.start();
        return client;
    }
}
