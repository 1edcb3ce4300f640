package devicetunnel.agent.ssh;

import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.channel.ChannelFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.subsystem.SubsystemFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.StreamAddress;
import devicetunnel.protocol.StreamIoService;
import devicetunnel.protocol.StreamIoSession;
import devicetunnel.protocol.SshTuning;

/**
 * The device's in-process SSH server. Relay streams reach it without a socket ({@link #serveStream});
 * it also listens on loopback, for local diagnostics and the benchmarks' direct baseline. It
 * accepts only keys the relay vouched for: the relay's client key and
 * short-lived user certificates from the relay's CA; no passwords. What else it offers (SFTP, exec,
 * forwarding) follows the admin's per-device switches.
 *
 * <p>Threads: owns MINA's (the loopback listener's NIO workers and its timer); shells bring their own.
 */
public final class DeviceSshServer implements AutoCloseable {
    private static final StreamAddress DEVICE = new StreamAddress("device");
    private final SshServer server;
    private final OperatorKeys operatorKeys = new OperatorKeys();
    private final FeatureSwitches features;
    /** How long a relay session's shell waits for a resume after its relay connection dropped. */
    public static final Duration DEFAULT_SHELL_GRACE = Duration.ofSeconds(90);
    private final ShellRegistry shells;
    private final StreamIoService streams = new StreamIoService();

    public DeviceSshServer(KeyPair hostKey, List<String> shellCommand, boolean allowForwarding) {
        this(hostKey, shellCommand, allowForwarding, false);
    }

    /** {@code gatewayPorts}: remote forwards may listen on other than loopback (like OpenSSH's GatewayPorts). */
    public DeviceSshServer(KeyPair hostKey, List<String> shellCommand, boolean allowForwarding, boolean gatewayPorts) {
        this(hostKey, shellCommand, allowForwarding, gatewayPorts, DEFAULT_SHELL_GRACE);
    }

    /** {@code shellGrace}: how long a relay session's shell waits for a resume when its relay connection drops. */
    public DeviceSshServer(KeyPair hostKey, List<String> shellCommand, boolean allowForwarding, boolean gatewayPorts,
                           Duration shellGrace) {
        this(hostKey, shellCommand, allowForwarding, gatewayPorts, shellGrace, SessionUser.agentItself());
    }

    /** {@code user}: the account shells, exec commands and SFTP run as (see {@link SessionUser}). */
    public DeviceSshServer(KeyPair hostKey, List<String> shellCommand, boolean allowForwarding, boolean gatewayPorts,
                           Duration shellGrace, SessionUser user) {
        this(hostKey, shellCommand, allowForwarding, gatewayPorts, shellGrace, user, true);
    }

    /** {@code allowWebApps}: false is the device owner's veto on web apps, whatever the relay's switch says. */
    public DeviceSshServer(KeyPair hostKey, List<String> shellCommand, boolean allowForwarding, boolean gatewayPorts,
                           Duration shellGrace, SessionUser user, boolean allowWebApps) {
        shells = new ShellRegistry(shellGrace);
        features = new FeatureSwitches(allowForwarding, gatewayPorts, allowWebApps,
                session -> session instanceof org.apache.sshd.server.session.ServerSession server && operatorKeys.isRelay(server));
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator(operatorKeys);
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setChannelFactories(replaceSessionChannel(server.getChannelFactories()));
        server.setShellFactory(features.shells(channel ->
                new ShellChannel(shellCommand, user, shells, operatorKeys.isRelay(channel.getServerSession()))));
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionClosed(Session session) {
                synchronized (DeviceSshServer.this) {
                    DeviceSshServer.this.notifyAll();
                }
            }
        });
        server.setCommandFactory(features.commands((channel, command) -> ProcessCommand.exec(command, user)));
        server.setSubsystemFactories(List.of(features.sftp(sftp(user))));
        server.setForwardingFilter(features);
        SshTuning.apply(server);
        ModernAlgorithms.apply(server);
        CoreModuleProperties.AUTH_TIMEOUT.set(server, java.time.Duration.ofSeconds(30));
    }

    /**
     * MINA's in-process SFTP when sessions run as the agent; OpenSSH's sftp-server started as the
     * session user otherwise, and no SFTP at all when that is not installed: in-process, it would
     * serve files with the agent's rights.
     */
    private static SubsystemFactory sftp(SessionUser user) {
        if (!user.sftpNeedsProcess()) {
            return new SftpSubsystemFactory();
        }
        return new SubsystemFactory() {
            @Override
            public String getName() {
                return SftpConstants.SFTP_SUBSYSTEM_NAME;
            }

            @Override
            public Command createSubsystem(ChannelSession channel) throws IOException {
                java.nio.file.Path server = user.sftpServer().orElseThrow(() -> new IOException(
                        "SFTP is unavailable: sessions run as another user and OpenSSH's sftp-server is not installed"));
                return new ProcessCommand(List.of(server.toString()), user);
            }
        };
    }

    /** The session channel that records PTY requests, in place of MINA's (other channel types stay). */
    private static List<ChannelFactory> replaceSessionChannel(List<? extends ChannelFactory> factories) {
        List<ChannelFactory> replaced = new ArrayList<>();
        for (ChannelFactory factory : factories) {
            replaced.add("session".equals(factory.getName()) ? PtyAwareChannelSession.FACTORY : factory);
        }
        return replaced;
    }

    /** Replaces the relay's own client keys (the pinned ones, or fewer, as a trusted welcome says). */
    public void setAuthorizedKeys(List<PublicKey> keys) {
        operatorKeys.setRelayKeys(keys);
    }

    /** Replaces the CA keys whose user certificates operators may log in with. */
    public void setUserCaKeys(List<PublicKey> keys) {
        operatorKeys.setUserCaKeys(keys);
    }

    /** Applies the admin's switches (null: keep the current ones). */
    public void setFeatures(DeviceFeatures switches) {
        features.set(switches);
    }

    public DeviceFeatures features() {
        return features.current();
    }

    public void start() throws IOException {
        server.start();
    }

    /** Serves one SSH connection over a relay stream: its packets go to {@code toRelay}, the relay's bytes to the result. */
    public StreamIoSession serveStream(String streamId, BinarySink toRelay) throws Exception {
        if (!server.isStarted()) {
            throw new IllegalStateException("the SSH server is not running");
        }
        StreamIoSession session = new StreamIoSession(streams, server.getSessionFactory(), toRelay, DEVICE,
                new StreamAddress(streamId));
        try {
            session.start();
        } catch (Exception e) {
            session.close(true);
            throw e;
        }
        return session;
    }

    /** SSH connections open over relay streams right now. */
    public int streamSessions() {
        return streams.getManagedSessions().size();
    }

    private boolean hasSessions() {
        return !server.getActiveSessions().isEmpty() || streamSessions() > 0;
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
        for (PtyShell shell : shells.running()) {
            shell.hangUp(message);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (server.isStarted() && hasSessions()) {
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
        streams.close(true);
        server.stop(true);
        shells.close();
    }

    /** Shells running now, relay sessions' shells waiting for a resume included. */
    public int runningShells() {
        return shells.running().size();
    }
}
