package devicetunnel.agent;

import devicetunnel.agent.link.LinkState;
import devicetunnel.agent.link.RelayEndpoint;
import devicetunnel.agent.ssh.DeviceSshServer;
import devicetunnel.agent.ssh.LoginShell;
import devicetunnel.agent.ssh.SessionUser;
import devicetunnel.protocol.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The device agent as a library: a Java application on a device embeds remote access with
 * {@code DeviceAgent.builder().relay(url).deviceId(id).stateDir(dir).start()}; the standalone
 * agent's command line is built on the same builder. The handle reports the control link's state
 * and {@link #close() closes} the agent (the relay sees the device go offline, open shells end
 * with a message to their operators).
 *
 * <p>The library never touches the application's logging configuration; it logs through SLF4J.
 */
public final class DeviceAgent implements AutoCloseable {
    private final Agent agent;
    private final String deviceId;

    private DeviceAgent(Agent agent, String deviceId) {
        this.agent = agent;
        this.deviceId = deviceId;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String deviceId() {
        return deviceId;
    }

    /** Whether the control link is up: the relay shows the device online and can open sessions. */
    public boolean isOnline() {
        return agent.isOnline();
    }

    /** CONNECTING, CONNECTED or OFFLINE, since when, and the last problem in plain words (never a secret). */
    public LinkState.Snapshot linkState() {
        return agent.linkState();
    }

    /** The device's identity: its SSH host key (kept in the state directory), as the relay pins it. */
    public String hostPublicKey() {
        return agent.hostPublicKey();
    }

    @Override
    public void close() throws IOException {
        agent.close();
    }

    /**
     * Everything the agent is told. Required: {@link #relay}, {@link #deviceId}, {@link #stateDir};
     * the rest defaults as the command line does (see {@code device-agent --help}).
     */
    public static final class Builder {
        private String relay;
        private boolean allowPlainHttp;
        private String deviceId;
        private Path stateDir;
        private Path enrollmentTokenFile;
        private Path caFile;
        private SSLContext sslContext;
        private String shell;
        private List<String> terminalCommand;
        private String sessionUser;
        private boolean allowForwarding;
        private boolean gatewayPorts;
        private boolean webApps = true;
        private int maxStreams = Agent.AgentConfig.DEFAULT_MAX_STREAMS;
        private Duration shellGrace = DeviceSshServer.DEFAULT_SHELL_GRACE;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration reconnectBase = Duration.ofMillis(500);
        private Duration reconnectMax = Duration.ofSeconds(60);
        private List<String> streamHosts = List.of();

        private Builder() {}

        /** The relay's base URL, e.g. {@code https://relay.example.com} (plain http only on loopback). */
        public Builder relay(String url) {
            this.relay = url;
            return this;
        }

        /** Allows an http:// relay URL off loopback: only behind a TLS-terminating proxy. */
        public Builder allowPlainHttp(boolean allow) {
            this.allowPlainHttp = allow;
            return this;
        }

        public Builder deviceId(String id) {
            this.deviceId = id;
            return this;
        }

        /** Holds the host key, the enrollment record and {@code status.json} (created 0700, files 0600). */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** A file with an enrollment token; read only until the device is enrolled. */
        public Builder enrollmentTokenFile(Path file) {
            this.enrollmentTokenFile = file;
            return this;
        }

        /** A PEM file with the CA certificate(s) that sign the relay's TLS certificate (a private relay). */
        public Builder trustedCaFile(Path pemFile) {
            this.caFile = pemFile;
            this.sslContext = null;
            return this;
        }

        /** The TLS context for the relay connections, for applications that manage their own trust. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            this.caFile = null;
            return this;
        }

        /**
         * Terminal sessions run this shell as a login shell ({@code path -l}). Default: the session
         * user's login shell.
         */
        public Builder shell(String path) {
            this.shell = path;
            this.terminalCommand = null;
            return this;
        }

        /**
         * Terminal sessions run exactly this program, e.g. the application's own console instead of
         * a shell. Exec requests and SFTP still follow the relay's per-device switches.
         */
        public Builder terminalCommand(String... argv) {
            if (argv.length == 0) {
                throw new IllegalArgumentException("a terminal command needs at least the program");
            }
            this.terminalCommand = List.of(argv);
            this.shell = null;
            return this;
        }

        /** Sessions (shell, exec, SFTP) run as this user; needs an agent running as root. Default: the JVM's user. */
        public Builder sessionUser(String name) {
            this.sessionUser = name;
            return this;
        }

        /** The device owner allows SSH port forwarding (the relay's per-device switch must allow it too). */
        public Builder allowForwarding(boolean allow) {
            this.allowForwarding = allow;
            return this;
        }

        /** Remote forwards may listen on addresses other than loopback (OpenSSH's GatewayPorts). */
        public Builder gatewayPorts(boolean allow) {
            this.gatewayPorts = allow;
            return this;
        }

        /** False is the device owner's veto on web apps, whatever the relay's switch says. Default: true. */
        public Builder webApps(boolean allow) {
            this.webApps = allow;
            return this;
        }

        /** Most SSH streams open at once (default 32). */
        public Builder maxStreams(int max) {
            this.maxStreams = max;
            return this;
        }

        /** How long a terminal's shell waits for a relay to resume it after a relay dropped (default 90 s). */
        public Builder shellGrace(Duration grace) {
            this.shellGrace = grace;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** The jittered reconnect backoff: first wait {@code base} (default 500 ms), never more than {@code max} (60 s). */
        public Builder reconnectBackoff(Duration base, Duration max) {
            this.reconnectBase = base;
            this.reconnectMax = max;
            return this;
        }

        /** Hosts besides the relay's that session streams may be opened to (a relay cluster's siblings). */
        public Builder streamHosts(List<String> hosts) {
            this.streamHosts = List.copyOf(hosts);
            return this;
        }

        /** Checks the settings and starts the agent: its SSH server now, the link to the relay in the background. */
        public DeviceAgent start() throws IOException {
            Agent agent = new Agent(config());
            try {
                agent.start();
            } catch (IOException | RuntimeException e) {
                try {
                    agent.close(); // the SSH server may be listening already
                } catch (IOException | RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            return new DeviceAgent(agent, deviceId);
        }

        /** The validated configuration (IllegalArgumentException names what is missing or wrong). */
        Agent.AgentConfig config() throws IOException {
            require(relay, "relay URL");
            require(deviceId, "device id");
            require(stateDir, "state directory");
            if (maxStreams < 1) {
                throw new IllegalArgumentException("max streams must be at least 1, not " + maxStreams);
            }
            SessionUser user = sessionUser == null ? SessionUser.agentItself() : SessionUser.named(sessionUser);
            List<String> command = terminalCommand != null ? terminalCommand : LoginShell.command(shell, user);
            return new Agent.AgentConfig(RelayEndpoint.parse(relay, allowPlainHttp), deviceId, enrollmentTokenFile,
                    stateDir, command, allowForwarding, tls(), Objects.requireNonNull(connectTimeout), reconnectBase,
                    reconnectMax, gatewayPorts, maxStreams, shellGrace, streamHosts, user, webApps);
        }

        private SSLContext tls() throws IOException {
            if (caFile == null) {
                return sslContext;
            }
            try {
                return TlsTrust.sslContext(caFile);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot use the CA file " + caFile + ": " + e.getMessage(), e);
            }
        }

        private static void require(Object value, String what) {
            if (value == null || value instanceof String s && s.isBlank()) {
                throw new IllegalArgumentException("the device agent needs a " + what);
            }
        }
    }
}
