package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.SshTuning;
import devicetunnel.protocol.TunnelException;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * The relay's SSH client (one MINA SshClient shared by all sessions). It authenticates with the
 * relay's own key and accepts a device only if the device presents exactly the host key on record:
 * the database, not the network path, decides which device an operator reaches.
 *
 * <p>Threads: owns MINA's client threads (its timer); device frames are decoded on Jetty's.
 */
public final class RelaySshClient implements AutoCloseable {
    private static final AttributeRepository.AttributeKey<HostKeyCheck> HOST_KEY_CHECK = new AttributeRepository.AttributeKey<>();

    private final SshClient client;
    private final KeyPair relayKey;

    /** The pinned key for one connection and what the device actually presented. */
    static final class HostKeyCheck {
        final PublicKey pinned;
        volatile PublicKey presented;

        HostKeyCheck(PublicKey pinned) {
            this.pinned = pinned;
        }

        boolean matches(PublicKey key) {
            presented = key;
            return pinned != null && KeyUtils.compareKeys(pinned, key);
        }

        boolean mismatched() {
            return presented != null && !KeyUtils.compareKeys(pinned, presented);
        }
    }

    /**
     * @param windowBytes SSH channel window: the most output a session buffers before the device must wait
     * @param heartbeat   SSH keepalive interval; a device that misses two replies is cut (half-open streams)
     */
    public RelaySshClient(KeyPair relayKey, long windowBytes, Duration heartbeat) {
        this.relayKey = relayKey;
        client = SshClient.setUpDefaultClient();
        client.setIoServiceFactoryFactory(new DeviceStreamTransport());
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setServerKeyVerifier((session, address, key) -> {
            HostKeyCheck check = session.getConnectionContext() == null ? null
                    : session.getConnectionContext().getAttribute(HOST_KEY_CHECK);
            return check != null && check.matches(key);
        });
        client.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(relayKey));
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        SshTuning.apply(client);
        // The relay's read window bounds what it buffers per session before the device must wait.
        CoreModuleProperties.WINDOW_SIZE.set(client, windowBytes);
        // End-to-end liveness through the device stream: traffic both ways for idle-cutting
        // proxies, and a session whose device stopped answering ends instead of hanging.
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, heartbeat);
        CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, heartbeat);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 2);
        client.start();
    }

    /** The relay's public key, as agents put it in their authorized keys. */
    public String publicKeyLine() {
        return PublicKeyEntry.toString(relayKey.getPublic());
    }

    /** Connects over the paired device stream and authenticates; a wrong host key is a {@link ErrorCode#HOST_KEY_MISMATCH}. */
    ClientSession connect(String username, DeviceStream stream, PublicKey pinnedHostKey, Duration timeout) throws IOException {
        HostKeyCheck check = new HostKeyCheck(pinnedHostKey);
        AttributeRepository context = AttributeRepository.ofAttributesMap(
                Map.of(HOST_KEY_CHECK, check, DeviceStreamTransport.STREAM, stream));
        // The transport takes the stream from the context; MINA insists on a host and port, which it ignores.
        ClientSession session = client.connect(username, "127.0.0.1", 22, context, null).verify(timeout).getSession();
        try {
            session.auth().verify(timeout);
            return session;
        } catch (Exception e) {
            session.close(true);
            if (check.mismatched()) {
                throw new TunnelException(ErrorCode.HOST_KEY_MISMATCH,
                        "The device's host key does not match the one on record; refusing to connect.");
            }
            if (e instanceof TunnelException te) {
                throw te;
            }
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "SSH to the device failed: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() throws IOException {
        client.stop();
    }
}
