package devicetunnel.agent.ssh;

import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import devicetunnel.protocol.SshTuning;

/**
 * The device's in-process SSH server. It listens on loopback only (the agent's stream pump is its
 * only intended client) and accepts only public keys the relay vouched for; no passwords.
 */
public final class DeviceSshServer implements AutoCloseable {
    private final SshServer server;
    private final List<PublicKey> authorizedKeys = new CopyOnWriteArrayList<>();
    private final Set<PtyShell> shells = ConcurrentHashMap.newKeySet();

    public DeviceSshServer(KeyPair hostKey, List<String> shellCommand, boolean allowForwarding) {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((username, key, session) -> isAuthorized(key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setShellFactory(channel -> {
            PtyShell shell = new PtyShell(shellCommand, shells::remove);
            shells.add(shell);
            return shell;
        });
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionClosed(Session session) {
                synchronized (DeviceSshServer.this) {
                    DeviceSshServer.this.notifyAll();
                }
            }
        });
        server.setCommandFactory((channel, command) -> new ProcessCommand(command));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setForwardingFilter(allowForwarding ? AcceptAllForwardingFilter.INSTANCE : RejectAllForwardingFilter.INSTANCE);
        SshTuning.apply(server);
        CoreModuleProperties.AUTH_TIMEOUT.set(server, java.time.Duration.ofSeconds(30));
    }

    private boolean isAuthorized(PublicKey key) {
        for (PublicKey allowed : authorizedKeys) {
            if (org.apache.sshd.common.config.keys.KeyUtils.compareKeys(allowed, key)) {
                return true;
            }
        }
        return false;
    }

    /** Replaces the keys the relay vouches for (sent in every welcome). */
    public void setAuthorizedKeys(List<PublicKey> keys) {
        authorizedKeys.clear();
        authorizedKeys.addAll(keys);
    }

    public void start() throws IOException {
        server.start();
    }

    public SshdSocketAddress address() {
        return new SshdSocketAddress("127.0.0.1", server.getPort());
    }

    public int port() {
        return server.getPort();
    }

    /**
     * Ends every shell with {@code message} (the operator sees it, then the exit status) and waits,
     * up to {@code timeout}, for the relay to close the SSH sessions, so nothing is cut mid-frame.
     */
    public void hangUpAll(String message, Duration timeout) throws InterruptedException {
        if (!server.isStarted()) {
            return;
        }
        for (PtyShell shell : shells) {
            shell.hangUp(message);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (server.isStarted() && !server.getActiveSessions().isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
