package devicetunnel.relay.bench;

import devicetunnel.protocol.SshTuning;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * The baseline: a MINA SSH client configured like the relay's (same key, tuning and window), but
 * connected straight to the agent's loopback SSH server, with no websocket or relay in between.
 */
final class DirectSsh implements AutoCloseable {
    private final SshClient client;
    private final int port;

    DirectSsh(KeyPair relayKey, PublicKey deviceHostKey, int port, long windowBytes) {
        this.port = port;
        client = SshClient.setUpDefaultClient();
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setServerKeyVerifier((session, address, key) -> KeyUtils.compareKeys(deviceHostKey, key));
        client.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(relayKey));
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        SshTuning.apply(client);
        CoreModuleProperties.WINDOW_SIZE.set(client, windowBytes);
        client.start();
    }

    ClientSession connect(Duration timeout) throws IOException {
        ClientSession session = client.connect("bench", "127.0.0.1", port).verify(timeout).getSession();
        session.auth().verify(timeout);
        return session;
    }

    @Override
    public void close() throws IOException {
        client.stop();
    }
}
