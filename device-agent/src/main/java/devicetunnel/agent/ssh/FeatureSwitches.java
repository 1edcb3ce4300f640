package devicetunnel.agent.ssh;

import devicetunnel.protocol.DeviceFeatures;
import java.io.IOException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.apache.sshd.server.shell.ShellFactory;
import org.apache.sshd.server.subsystem.SubsystemFactory;
import java.util.function.Predicate;

/**
 * Enforces the admin's per-device switches on every request, so a change sent by the relay takes
 * effect for the next channel or forward even within an open SSH connection. Forwarding needs both
 * the relay's switch and the agent's own {@code --allow-forwarding}: the device owner keeps a veto.
 * Remote forwards ({@code ssh -R}) listen on loopback only unless the agent runs with
 * {@code --gateway-ports}: a forward on 0.0.0.0 would publish the operator's port to the device's
 * whole network.
 *
 * <p>Web apps (the relay's direct-tcpip channels to loopback ports) need the relay's web-apps switch
 * and the agent not running with {@code --no-web-apps}; they are refused to operators' own SSH logins.
 *
 * <p>"Exec off" also refuses a shell without a PTY ({@code ssh -T host < script} is exec by
 * another name). A shell with a PTY stays available whatever the switches say: the browser
 * terminal is one. So the switches close the scripting and file channels; they are not a sandbox
 * for an operator who has a terminal.
 */
final class FeatureSwitches implements ForwardingFilter {
    private final boolean localForwardingAllowed;
    private final boolean gatewayPorts;
    private final boolean localWebAppsAllowed;
    private final Predicate<Session> relaySession;
    private volatile DeviceFeatures features;

    /**
     * {@code localWebAppsAllowed}: the device owner's veto on web apps ({@code --no-web-apps});
     * {@code relaySession}: whether a session logged in with the relay's own key.
     */
    FeatureSwitches(boolean localForwardingAllowed, boolean gatewayPorts, boolean localWebAppsAllowed,
                    Predicate<Session> relaySession) {
        this.localForwardingAllowed = localForwardingAllowed;
        this.gatewayPorts = gatewayPorts;
        this.localWebAppsAllowed = localWebAppsAllowed;
        this.relaySession = relaySession;
        // Until the relay says otherwise (or when an older relay says nothing): the agent's own flag.
        this.features = new DeviceFeatures(true, true, localForwardingAllowed);
    }

    void set(DeviceFeatures features) {
        if (features != null) {
            this.features = features;
        }
    }

    DeviceFeatures current() {
        return features;
    }

    private boolean forwardingAllowed() {
        return localForwardingAllowed && features.forwarding();
    }

    @Override
    public boolean canListen(SshdSocketAddress address, Session session) {
        return forwardingAllowed() && (gatewayPorts || isLoopback(address.getHostName()));
    }

    /** "localhost" and loopback literals; an empty host or "*" means every interface to MINA. */
    private static boolean isLoopback(String host) {
        return host != null && (host.equalsIgnoreCase("localhost") || SshdSocketAddress.isLoopback(host));
    }

    @Override
    public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
        return forwardingAllowed() || webAppAllowed(type, address, session);
    }

    /**
     * A web app is the relay's own direct-tcpip channel to a loopback port: never an operator's
     * certificate login (that is forwarding, with its own switch), never another host.
     */
    private boolean webAppAllowed(Type type, SshdSocketAddress address, Session session) {
        return localWebAppsAllowed && features.webApps() && type == Type.Direct
                && SshdSocketAddress.isLoopback(address.getHostName()) && relaySession.test(session);
    }

    @Override
    public boolean canForwardAgent(Session session, String requestType) {
        return false; // the operator's agent has no business on a fleet device
    }

    @Override
    public boolean canForwardX11(Session session, String requestType) {
        return false;
    }

    /** Exec requests, refused (the client sees "exec request failed") while switched off. */
    CommandFactory commands(CommandFactory delegate) {
        return (channel, command) -> {
            if (!features.exec()) {
                throw new IOException("exec is switched off for this device");
            }
            return delegate.createCommand(channel, command);
        };
    }

    /** Shells: one without a PTY is refused while exec is switched off (see the class comment). */
    ShellFactory shells(ShellFactory delegate) {
        return channel -> {
            boolean pty = channel instanceof PtyAwareChannelSession session && session.ptyRequested();
            if (!pty && !features.exec()) {
                throw new IOException("a shell without a PTY is exec by another name, and exec is switched off for this device");
            }
            return delegate.createShell(channel);
        };
    }

    /** The SFTP subsystem (also what modern scp uses), refused while switched off. */
    SubsystemFactory sftp(SubsystemFactory delegate) {
        return new SubsystemFactory() {
            @Override
            public String getName() {
                return delegate.getName();
            }

            @Override
            public Command createSubsystem(ChannelSession channel) throws IOException {
                if (!features.sftp()) {
                    throw new IOException("sftp is switched off for this device");
                }
                return delegate.createSubsystem(channel);
            }
        };
    }
}
