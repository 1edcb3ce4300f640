package devicetunnel.agent;

import devicetunnel.protocol.DaemonThreads;
import devicetunnel.agent.facts.FactsCollector;
import devicetunnel.agent.facts.FactsReporter;
import devicetunnel.agent.link.Backoff;
import devicetunnel.agent.link.ControlLink;
import devicetunnel.agent.link.DeviceCredential;
import devicetunnel.agent.link.Enrollment;
import devicetunnel.agent.link.RelayEndpoint;
import devicetunnel.agent.link.StreamClient;
import devicetunnel.agent.link.StreamConnector;
import devicetunnel.agent.link.TrustPins;
import devicetunnel.agent.link.StreamUrlPolicy;
import devicetunnel.agent.ssh.DeviceSshServer;
import devicetunnel.agent.ssh.SessionUser;
import devicetunnel.agent.status.StatusWriter;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.DeviceFacts;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.KeyFiles;
import java.io.IOException;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device agent: its SSH server plus the control link that lets the relay reach it.
 *
 * <p>Threads: owns {@code agent-link-N} (the link's scheduler), the {@code agent-stream-N} pool and the JDK HttpClient's.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    public static final String VERSION = "0.1.0";
    public static final String SHUTDOWN_MESSAGE = "[device agent shutting down; session closed]";

    private final AgentConfig config;
    private final KeyPair hostKey;
    private final DeviceSshServer sshServer;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService streamExecutor;
    private final HttpClient http;
    private final StreamClient streamClient;
    private final DeviceCredential credential;
    private final Enrollment enrollment;
    private final TrustPins trust;
    private final StatusWriter status;
    private final Supplier<DeviceFacts> facts;
    private FactsReporter factsReporter;
    private StreamConnector streams;
    private ControlLink link;

    public Agent(AgentConfig config) throws IOException {
        this(config, new FactsCollector(VERSION));
    }

    /** {@code facts}: what the device reports about itself (the real {@link FactsCollector} but in tests). */
    public Agent(AgentConfig config, Supplier<DeviceFacts> facts) throws IOException {
        this.config = config;
        this.facts = facts;
        this.hostKey = KeyFiles.loadOrCreate(config.stateDir().resolve("host_ed25519"));
        this.sshServer = new DeviceSshServer(hostKey, config.shellCommand(), config.allowForwarding(), config.gatewayPorts(),
                config.shellGrace(), config.sessionUser(), config.allowWebApps());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("agent-link"));
        this.streamExecutor = Executors.newCachedThreadPool(DaemonThreads.named("agent-stream"));
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.connectTimeout());
        SSLContext tls = config.sslContext();
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
        this.streamClient = new StreamClient(tls, config.connectTimeout());
        this.credential = new DeviceCredential(config.deviceId(), hostKey, Clock.systemUTC());
        this.enrollment = new Enrollment(http, config.relay(), config.stateDir(), config.deviceId(), hostPublicKey(),
                config.enrollmentTokenFile(), config.connectTimeout());
        enrollment.checkConfig();
        this.trust = new TrustPins(enrollment, enrollment.load().orElse(null));
        this.status = new StatusWriter(config.stateDir(), config.deviceId(), config.relay().base().toString(),
                sshServer::streamSessions, sshServer::runningShells, scheduler, Clock.systemUTC());
    }

    public Agent start() throws IOException {
        sshServer.start();
        streams = new StreamConnector(streamClient, new StreamUrlPolicy(config.relay(), config.streamHosts()),
                sshServer::serveStream, streamExecutor, config.connectTimeout(), message -> link.send(message), scheduler,
                () -> link.pingIntervalMillis(), config.maxStreams());
        Backoff backoff = new Backoff(config.backoffBase(), config.backoffCap(), Duration.ofSeconds(30),
                new SecureRandom(), System::currentTimeMillis);
        Enrollment.Record pinned = trust.pinned();
        if (pinned != null) {
            trustKeys(pinned.relayKeys(), pinned.userCaKeys());
        }
        link = new ControlLink(http, config.relay(), credential, this::ensureEnrolled,
                hostPublicKey(), VERSION, streams, this::checkWelcome, this::applyRelaySettings, backoff,
                () -> sshServer.runningShells() > 0, scheduler,
                config.connectTimeout(), status.linkState());
        factsReporter = new FactsReporter(facts, link::sendTrusted, scheduler);
        status.start();
        link.start();
        log.info("device {} started; SSH server on 127.0.0.1:{}", config.deviceId(), sshServer.port());
        return this;
    }

    public String hostPublicKey() {
        return PublicKeyEntry.toString(hostKey.getPublic());
    }

    /** The loopback port of the in-process SSH server (benchmarks compare against it directly). */
    public int sshPort() {
        return sshServer.port();
    }

    public boolean isOnline() {
        return link != null && link.isOnline();
    }

    /** The control link as the device owner's {@code status} shows it. */
    public devicetunnel.agent.link.LinkState.Snapshot linkState() {
        return status.linkState().snapshot();
    }

    /** Streams open or being opened (never more than {@code maxStreams}). */
    public int streamsInUse() {
        return streams == null ? 0 : streams.streamsInUse();
    }

    /** Before each connection: enrolls the first time; the enrollment's keys become the pins. */
    private void ensureEnrolled() throws Exception {
        if (trust.pinned() == null) {
            Enrollment.Record record = enrollment.ensure();
            trust.enrolled(record);
            trustKeys(record.relayKeys(), record.userCaKeys());
        }
    }

    /** The SSH server trusts only what the pins allow: a welcome narrows that, or widens it by a signed rotation. */
    private String checkWelcome(ControlMessage.Welcome welcome) {
        TrustPins.Verdict verdict = trust.check(welcome);
        if (verdict.trusted()) {
            trustKeys(verdict.relayKeys(), verdict.userCaKeys());
        }
        return verdict.refusal();
    }

    private void trustKeys(List<String> relayKeys, List<String> userCaKeys) {
        sshServer.setAuthorizedKeys(parseKeys(relayKeys));
        sshServer.setUserCaKeys(parseKeys(userCaKeys));
    }

    /** Features from a trusted welcome or a later features message: what the SSH server offers. */
    private void applyRelaySettings(ControlMessage message) {
        if (message instanceof ControlMessage.Welcome welcome) {
            applyFeatures(welcome.features());
            factsReporter.welcomed(welcome.factsIntervalMillis());
        } else if (message instanceof ControlMessage.Features features) {
            applyFeatures(features.features());
        }
    }

    private void applyFeatures(DeviceFeatures features) {
        if (features != null) {
            sshServer.setFeatures(features);
            log.info("device features from the relay: {}{}", features,
                    features.forwarding() && !config.allowForwarding() ? " (forwarding stays off: agent runs without --allow-forwarding)" : "");
        }
    }

    private static List<PublicKey> parseKeys(List<String> lines) {
        List<PublicKey> keys = new ArrayList<>();
        for (String line : lines == null ? List.<String>of() : lines) {
            try {
                keys.add(AuthorizedKeyEntry.parseAuthorizedKeyEntry(line)
                        .resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
            } catch (Exception e) {
                log.warn("ignoring an unusable key from the relay");
            }
        }
        return keys;
    }

    /** The SSH server, for tests that check what the relay configured. */
    public DeviceSshServer sshServer() {
        return sshServer;
    }

    /** Shuts down: the relay sees the device go offline, each open shell ends with a message for its operator. */
    @Override
    public void close() throws IOException {
        if (link != null) {
            link.close();
        }
        try {
            sshServer.hangUpAll(SHUTDOWN_MESSAGE, Duration.ofSeconds(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sshServer.close();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS); // no report may land after STOPPED
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        status.stopped();
        streamExecutor.shutdownNow();
        streamClient.close();
    }


    /**
     * Everything an agent needs, validated up front.
     *
     * @param enrollmentTokenFile read only when the state directory holds no enrollment record yet
     * @param gatewayPorts        remote forwards may listen on other addresses than loopback
     * @param maxStreams          streams open or being opened at once; further {@code open} requests are refused
     * @param shellGrace          how long a terminal session's shell waits for a relay to resume it after its
     *                            relay connection dropped (a relay died or restarted)
     * @param sessionUser         the account sessions run as ({@code --shell-user})
     * @param allowWebApps        false: the device owner's veto on web apps ({@code --no-web-apps})
     */
    public record AgentConfig(RelayEndpoint relay, String deviceId, java.nio.file.Path enrollmentTokenFile,
                              java.nio.file.Path stateDir,
                              List<String> shellCommand, boolean allowForwarding, SSLContext sslContext,
                              Duration connectTimeout, Duration backoffBase, Duration backoffCap,
                              boolean gatewayPorts, int maxStreams, Duration shellGrace, List<String> streamHosts,
                              SessionUser sessionUser, boolean allowWebApps) {
        public static final int DEFAULT_MAX_STREAMS = 32;

        public AgentConfig(RelayEndpoint relay, String deviceId, java.nio.file.Path enrollmentTokenFile,
                           java.nio.file.Path stateDir, List<String> shellCommand, boolean allowForwarding,
                           SSLContext sslContext, Duration connectTimeout, Duration backoffBase, Duration backoffCap) {
            this(relay, deviceId, enrollmentTokenFile, stateDir, shellCommand, allowForwarding, sslContext,
                    connectTimeout, backoffBase, backoffCap, false, DEFAULT_MAX_STREAMS, DeviceSshServer.DEFAULT_SHELL_GRACE,
                    List.of(), SessionUser.agentItself(), true);
        }

        public AgentConfig withMaxStreams(int max) {
            return new AgentConfig(relay, deviceId, enrollmentTokenFile, stateDir, shellCommand, allowForwarding,
                    sslContext, connectTimeout, backoffBase, backoffCap, gatewayPorts, max, shellGrace, streamHosts, sessionUser,
                    allowWebApps);
        }
    }
}
