package devicetunnel.relay;

import devicetunnel.protocol.Periodic;
import devicetunnel.protocol.DaemonThreads;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.TrustRotation;
import devicetunnel.protocol.Protocol;
import devicetunnel.relay.auth.DeviceProofs;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.PasswordHasher;
import devicetunnel.relay.auth.SecretTokens;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.auth.ApiTokens;
import devicetunnel.relay.auth.KeyedHash;
import devicetunnel.relay.auth.SecondFactors;
import devicetunnel.relay.auth.TotpKey;
import devicetunnel.relay.http.MfaRoutes;
import devicetunnel.relay.http.DeviceFilterRoutes;
import devicetunnel.relay.store.DeviceFilterStore;
import devicetunnel.relay.http.SessionIssuer;
import devicetunnel.relay.http.TokenRoutes;
import devicetunnel.relay.store.ApiTokenStore;
import devicetunnel.relay.store.TotpStore;
import devicetunnel.relay.policy.AccessSweep;
import devicetunnel.relay.http.AuditRoutes;
import devicetunnel.relay.auth.HashingGate;
import devicetunnel.relay.http.AuthRoutes;
import devicetunnel.relay.http.OidcRoutes;
import devicetunnel.relay.http.SingleSignOn;
import devicetunnel.relay.auth.ProofIds;
import devicetunnel.relay.http.ClientAddress;
import devicetunnel.relay.http.ForwardedClient;
import devicetunnel.relay.http.SiblingRequests;
import devicetunnel.relay.http.HostPolicy;
import devicetunnel.relay.http.SecurityHeaders;
import devicetunnel.relay.link.LinkListener;
import devicetunnel.relay.link.Presence;
import devicetunnel.relay.link.RefusalLog;
import devicetunnel.relay.link.RemoteStreams;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.auth.Ceremonies;
import devicetunnel.relay.auth.Passkeys;
import devicetunnel.relay.auth.RelyingParty;
import devicetunnel.relay.auth.FactorChanges;
import devicetunnel.relay.auth.StepUp;
import devicetunnel.relay.fleet.LabelSelector;
import devicetunnel.relay.http.PasskeyRoutes;
import devicetunnel.relay.http.StepUpRoutes;
import devicetunnel.relay.store.ChallengeStore;
import devicetunnel.relay.store.PasskeyStore;
import devicetunnel.relay.http.DeviceFeatureRoutes;
import devicetunnel.relay.policy.DeviceLifecycle;
import devicetunnel.relay.http.DeviceRoutes;
import devicetunnel.relay.http.EnrollmentRoutes;
import devicetunnel.relay.http.ErrorResponses;
import devicetunnel.relay.http.FileRoutes;
import devicetunnel.relay.cluster.SiblingForwarder;
import devicetunnel.relay.fleet.FleetRuns;
import devicetunnel.relay.fleet.RunRoutes;
import devicetunnel.relay.webapp.WebAppGrants;
import devicetunnel.relay.webapp.WebAppRoutes;
import devicetunnel.relay.webapp.WebAppServer;
import devicetunnel.relay.webapp.WebAppUrls;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.relay.cluster.ClusterNode;
import devicetunnel.relay.cluster.SharedSecrets;
import devicetunnel.relay.http.RateLimitRoutes;
import devicetunnel.relay.http.SessionRoutes;
import devicetunnel.relay.http.UserRoutes;
import devicetunnel.relay.http.SshCertificateRoutes;
import devicetunnel.relay.policy.OriginPolicy;
import devicetunnel.relay.policy.RateLimiter;
import devicetunnel.relay.policy.SessionGate;
import devicetunnel.relay.policy.SessionLimits;
import devicetunnel.relay.policy.SessionSlots;
import devicetunnel.relay.policy.Throttle;
import devicetunnel.relay.policy.AccessChanges;
import devicetunnel.relay.auth.LocalProofIds;
import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.http.Readiness;
import devicetunnel.relay.metrics.MetricsAccess;
import devicetunnel.relay.metrics.MetricsListener;
import devicetunnel.relay.metrics.MetricsRoute;
import devicetunnel.relay.metrics.RelayMetrics;
import devicetunnel.relay.store.Device;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import devicetunnel.relay.ssh.DeviceSshConnector;
import devicetunnel.relay.ssh.OutputGovernor;
import devicetunnel.relay.ssh.RelaySshClient;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.ssh.SessionTraffic;
import devicetunnel.relay.ssh.UserCertificateAuthority;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.EmbeddedStore;
import devicetunnel.relay.store.StateDir;
import devicetunnel.relay.store.StoreHealth;
import devicetunnel.relay.store.StoreMaintenance;
import devicetunnel.relay.store.TerminalSessionStore;
import devicetunnel.relay.store.RecordingStore;
import devicetunnel.relay.recording.NativeSshRecording;
import devicetunnel.relay.recording.Recordings;
import devicetunnel.relay.http.RecordingRoutes;
import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.store.DeviceFactsStore;
import devicetunnel.relay.link.FactsIntake;
import devicetunnel.relay.link.HandshakeGate;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.store.EnrollmentStore;
import devicetunnel.relay.store.UserStore;
import devicetunnel.relay.tls.Listener;
import devicetunnel.relay.ws.AgentConnectEndpoint;
import devicetunnel.relay.ws.IdleSessionReaper;
import devicetunnel.relay.ws.AgentStreamEndpoint;
import devicetunnel.relay.ws.NativeSshEndpoint;
import devicetunnel.relay.ws.TerminalCompression;
import devicetunnel.relay.ws.TerminalEndpoint;
import devicetunnel.relay.ws.WatchEndpoint;
import devicetunnel.relay.share.SessionShares;
import devicetunnel.relay.share.Sharing;
import devicetunnel.relay.http.ShareRoutes;
import devicetunnel.relay.ws.SiblingStreamClient;
import devicetunnel.relay.ws.WsKeepalive;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay: assembles store, auth, device links and SSH client behind one Javalin server.
 *
 * <p>Threads: owns Jetty's pool, {@code relay-timer-N} (two), {@code relay-store-sweep-N}, the {@code relay-open-N} pool
 * and, with {@code --metrics-listen}, {@code relay-metrics-N}.
 */
public final class RelayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);
    /** Control messages are tiny JSON; bigger text frames are closed by Jetty with 1009 before any parsing. */
    private static final int MAX_TEXT_MESSAGE_BYTES = 64 * 1024;
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    /** SSH channel window of the relay's client: bounds what a session buffers before the device waits. */
    public static final long SSH_WINDOW_BYTES = 1024 * 1024;
    public static final String SHUTDOWN_MESSAGE = "relay shutting down";
    private static final int GOING_AWAY = 1001;

    private final RelayConfig config;
    private final Database database;
    private final UserStore users;
    private final DeviceStore devices;
    private final EnrollmentStore enrollmentStore;
    private final AuditLog audit;
    private FleetRuns fleetRuns;
    private final Enrollments enrollments;
    private final PasswordHasher hasher = new PasswordHasher();
    private final ScheduledExecutorService scheduler;
    /** Sweeps that read the database: apart from {@link #scheduler}, so a slow database never delays pings. */
    private final ScheduledExecutorService sweeper;
    private final ExecutorService opener;
    private final RelaySshClient sshClient;
    private final DeviceRegistry registry;
    private final TerminalSessions sessions;
    private final Sharing sharing;
    private final DeviceSshConnector sshConnector;
    private final SessionSlots sessionLimits;
    private final WsKeepalive keepalive;
    private final SiblingStreamClient siblingStreams;
    private final IdleSessionReaper idleReaper;
    private final Listener listener;
    private final RefusalLog refusals;
    private final Javalin app;
    private final StoreHealth storeHealth;
    private final ClusterNode cluster;
    private final StreamBroker broker;
    private final RelayMetrics metrics = new RelayMetrics();
    private final Readiness readiness;
    private MetricsListener metricsListener;
    /** {@code --web-apps-listen}; null when this relay serves no web apps. */
    private final WebAppServer webApps;
    private final java.util.concurrent.Callable<WebAppServer> webAppsStart;
    private volatile boolean started;

    public RelayServer(RelayConfig config) throws IOException {
        this(config, OutputGovernor.machineCpuLoad());
    }

    /** {@code cpuLoad}: how busy the machine is, 0 to 1, as interactive priority sees it. */
    /**
     * The statement every welcome carries: these relay and CA keys, signed with the previous relay
     * key when the state directory still holds one ({@code relay_ed25519.previous}, kept by an admin
     * who rotated the key) so that agents which pinned it move to the new one, otherwise with the
     * current key (agents that pinned it accept a new CA key, or pin the CA key for the first time).
     */
    private static TrustRotation rotation(RelayConfig config, KeyPair relayKey, List<String> relayKeys,
                                          List<String> userCaKeys) throws IOException {
        Path previous = config.stateDir().resolve("relay_ed25519.previous");
        KeyPair signer = Files.exists(previous) ? KeyFiles.load(previous) : relayKey;
        return TrustRotation.sign(relayKeys, userCaKeys, signer.getPrivate());
    }

    public RelayServer(RelayConfig config, DoubleSupplier cpuLoad) throws IOException {
        config.checkConfig(); // before touching any file, socket or database
        this.config = config;
        RelayConfig.Hardening limits = config.hardening();
        this.listener = new Listener(config.host(), config.port(), config.tls(), config.allowPlainHttp(), limits.authTimeout());
        StateDir.prepare(config.stateDir()); // 0700 before any key, secret or store file goes in
        KeyPair relayKey = KeyFiles.loadOrCreate(config.stateDir().resolve("relay_ed25519"));
        KeyPair userCaKey = KeyFiles.loadOrCreate(config.stateDir().resolve("user_ca_ed25519"));
        byte[] tokenSecret = jwtSecret(config);
        RelayConfig.Identity identity = config.identity();
        TotpKey totpKey = TotpKey.load(identity.totpKeyFile() != null ? identity.totpKeyFile()
                : config.stateDir().resolve("totp.key"), identity.totpKeyFile() == null);
        this.database = config.databaseUrl() != null
                ? Database.openChecked(config.databaseUrl(), config.databaseUser(), config.databasePassword())
                : EmbeddedStore.open(config.stateDir());
        ClusterNode node = null;
        try {
            node = config.cluster() == null ? null : ClusterNode.open(config.cluster(), database,
                    SharedSecrets.id(PublicKeyEntry.toString(relayKey.getPublic()),
                            PublicKeyEntry.toString(userCaKey.getPublic()), tokenSecret));
            this.cluster = node;
            this.users = new UserStore(database.dataSource());
            this.devices = new DeviceStore(database.dataSource());
            this.enrollmentStore = new EnrollmentStore(database.dataSource());
            this.audit = new AuditLog(database.dataSource());
            this.enrollments = new Enrollments(enrollmentStore, devices, audit, Clock.systemUTC());
            this.scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named("relay-timer"));
            this.sweeper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("relay-store-sweep"));
            RelayConfig.Maintenance upkeep = config.maintenance();
            this.storeHealth = StoreMaintenance.schedule(database, audit, sweeper, upkeep.healthProbe(),
                    upkeep.backupInterval(),
                    upkeep.backupDir() != null ? upkeep.backupDir() : config.stateDir().resolve("backups"),
                    upkeep.backupKeep(), upkeep.auditRetention(), config.host() + ":" + config.port());
            this.opener = Executors.newCachedThreadPool(DaemonThreads.named("relay-open"));
            this.sshClient = new RelaySshClient(relayKey, SSH_WINDOW_BYTES, config.pingInterval());
            UserCertificateAuthority userCa = new UserCertificateAuthority(userCaKey, Clock.systemUTC());
            DeviceFeatureStore features = new DeviceFeatureStore(database.dataSource());
            DeviceFactsStore factsStore = new DeviceFactsStore(database.dataSource());
            this.registry = new DeviceRegistry(devices, config.pingInterval(), scheduler,
                    cluster == null ? LinkListener.NONE : cluster.links());
            Presence presence = cluster == null ? registry : cluster.presence(registry);
            this.broker = new StreamBroker(registry, scheduler,
                    cluster == null ? RemoteStreams.NONE : cluster.siblings());
            this.sessionLimits = cluster == null
                    ? new SessionLimits(limits.maxSessionsPerDevice(), limits.maxSessionsPerOperator())
                    : cluster.sessionSlots(limits.maxSessionsPerDevice(), limits.maxSessionsPerOperator());
            AccessChanges accessChanges = cluster == null ? AccessChanges.NONE : cluster.accessChanges();
            DeviceSshConnector connector = new DeviceSshConnector(sshClient, broker);
            this.sshConnector = connector;
            Recordings recordings = new Recordings(
                    upkeep.recordingsDir() != null ? upkeep.recordingsDir() : config.stateDir().resolve("recordings"),
                    upkeep.recordingRetention(), upkeep.recordingLabelPolicies(), upkeep.recordingInput(),
                    username -> users.find(username).map(devicetunnel.relay.store.User::role), new RecordingStore(database.dataSource()), audit,
                    config.cluster() == null ? null : config.cluster().relayId(), Clock.systemUTC());
            Periodic.every(sweeper, "recording retention", Duration.ofHours(1), recordings::prune);
            Periodic.every(sweeper, "recording flush", Duration.ofSeconds(1), recordings::flushQuietOnes);
            OutputGovernor governor = new OutputGovernor(config.sessions().interactivePriority(), cpuLoad, System::nanoTime);
            this.sessions = new TerminalSessions(connector, scheduler, config.sessions(), governor,
                    new TerminalSessionStore(database.dataSource()), recordings, this::sessionClosed);
            this.keepalive = new WsKeepalive(config.pingInterval(), scheduler);
            this.idleReaper = limits.idleTimeout().isZero() ? null
                    : new IdleSessionReaper(sessions, audit, limits.idleTimeout(), scheduler, System::nanoTime);

            TokenService tokens = new TokenService(tokenSecret, config.tokenLifetime(), Clock.systemUTC(),
                    config.externalIssuer());
            ApiTokens apiTokens = new ApiTokens(new ApiTokenStore(database.dataSource()), users,
                    KeyedHash.derive(tokenSecret, "devtunnel api token hash v1"), Clock.systemUTC());
            OperatorAuth auth = new OperatorAuth(tokens, users, metrics, apiTokens, identity.requireMfa());
            RelayConfig.Network network = limits.network();
            OriginPolicy origins = new OriginPolicy(limits.allowedOrigins(), config.browsersUseTls() ? "https" : "http");
            ForwardedClient siblingsVouch = cluster == null ? null
                    : new ForwardedClient(tokenSecret, cluster.relayId(), System::currentTimeMillis);
            ClientAddress clientAddress = new ClientAddress(network.trustedProxies(), siblingsVouch);
            SiblingRequests siblingRequests = cluster == null ? SiblingRequests.NONE
                    : new SiblingForwarder(cluster.directory(), cluster::sessionHolderUrl, siblingsVouch);
            HostPolicy hosts = HostPolicy.of(network.allowedHosts(), Listener.isLoopback(config.host()));
            if (hosts.acceptsAny() && !Listener.isLoopback(config.host()) && !network.allowedHosts().contains("*")) {
                log.warn("no --allowed-hosts given: any Host header is accepted (DNS rebinding is not refused)");
            }
            SecurityHeaders securityHeaders = new SecurityHeaders(config.browsersUseTls());
            RateLimiter loginAttempts = new RateLimiter(limits.loginsPerMinute(), System::nanoTime);
            Throttle accountAttempts = cluster == null
                    ? new RateLimiter(network.loginsPerAccountPerMinute(), System::nanoTime)
                    : cluster.throttle("login-account", network.loginsPerAccountPerMinute());
            Throttle mfaAttempts = cluster == null
                    ? new RateLimiter(identity.mfaAttemptsPerMinute(), System::nanoTime)
                    : cluster.throttle("mfa-account", identity.mfaAttemptsPerMinute());
            RateLimiter sessionOpens = new RateLimiter(limits.sessionOpensPerMinute(), System::nanoTime);
            RateLimiter sessionResumes = new RateLimiter(limits.sessionOpensPerMinute(), System::nanoTime);
            RateLimiter agentConnects = new RateLimiter(network.agentConnectsPerMinute(), System::nanoTime);
            this.refusals = new RefusalLog(audit, network.refusalLogInterval(), scheduler, System::nanoTime);
            StepUp stepUp = new StepUp(identity.stepUpSelector() == null || identity.stepUpSelector().isBlank() ? null
                    : LabelSelector.parse(identity.stepUpSelector()), identity.stepUpMaxAge(), Clock.systemUTC());
            DeviceAccess access = new DeviceAccess(devices, users, stepUp);
            Supplier<List<String>> relayKeys = () -> List.of(sshClient.publicKeyLine());
            RateLimiter operatorOpens = new RateLimiter(limits.sessionOpensPerMinute(), System::nanoTime);
            SessionGate gate = new SessionGate(auth, origins, sessionOpens, sessionResumes, operatorOpens, sessionLimits,
                    audit, sessions);
            Map<String, Throttle> limiters = Map.of("login-address", loginAttempts,
                    "login-account", accountAttempts, "session-open-address", sessionOpens,
                    "session-open-operator", operatorOpens, "session-resume-address", sessionResumes,
                    "agent-connect-address", agentConnects, "mfa-account", mfaAttempts);
            RateLimitRoutes rateLimitRoutes = new RateLimitRoutes(limiters, audit);

            HashingGate hashing = new HashingGate(network.concurrentPasswordHashes(), Duration.ofSeconds(2));
            SessionIssuer issuer = new SessionIssuer(tokens, config.secureCookies() || config.browsersUseTls());
            TotpStore totpStore = new TotpStore(database.dataSource());
            totpStore.checkKey(java.util.HexFormat.of().formatHex(totpKey.fingerprint())); // wrong key: refuse the start
            SecondFactors factors = new SecondFactors(totpStore, totpKey, mfaAttempts, audit, Clock.systemUTC());
            Passkeys passkeys = new Passkeys(new PasskeyStore(database.dataSource()),
                    new Ceremonies(new ChallengeStore(database.dataSource()), Clock.systemUTC()), audit, Clock.systemUTC());
            RelyingParty relyingParty = new RelyingParty(identity.webauthnRpId(), config.browsersUseTls() ? "https" : "http",
                    limits.allowedOrigins());
            AuthRoutes authRoutes = new AuthRoutes(users, hasher, hashing, tokens, audit, issuer, factors, loginAttempts,
                    accountAttempts, accessChanges, metrics, passkeys::registered);
            FactorChanges factorChanges = new FactorChanges(factors, passkeys, stepUp);
            PasskeyRoutes passkeyRoutes = new PasskeyRoutes(passkeys, factors, relyingParty, tokens, users, issuer,
                    identity.requireMfa(), factorChanges, loginAttempts, audit);
            StepUpRoutes stepUpRoutes = new StepUpRoutes(factors, passkeys, relyingParty, users, issuer, audit);
            MfaRoutes mfaRoutes = new MfaRoutes(factors, tokens, users, issuer, identity.requireMfa(), factorChanges,
                    loginAttempts, audit);
            DeviceFilterRoutes deviceFilterRoutes = new DeviceFilterRoutes(new DeviceFilterStore(database.dataSource()),
                    Clock.systemUTC());
            TokenRoutes tokenRoutes = new TokenRoutes(apiTokens, users, audit, accessChanges);
            ProofIds oneTimeIds = cluster == null ? new LocalProofIds(Clock.systemUTC()) : cluster.proofIds();
            DeviceFeatureRoutes featureRoutes = new DeviceFeatureRoutes(access, features, recordings, registry, audit);
            RecordingRoutes recordingRoutes = new RecordingRoutes(recordings, audit);
            SshCertificateRoutes certificateRoutes = new SshCertificateRoutes(userCa, audit);
            this.fleetRuns = new FleetRuns(devices, access, features, presence, connector, config.sessions().openTimeout(), audit,
                    cluster == null ? id -> id : cluster.directory()::mint);
            RunRoutes runRoutes = new RunRoutes(fleetRuns, siblingRequests);
            WebAppGrants webAppGrants = new WebAppGrants(Clock.systemUTC());
            this.webApps = config.webApps().enabled() ? new WebAppServer(config, webAppGrants) : null;
            this.webAppsStart = webApps == null ? null
                    : () -> webApps.start(users, access, features, connector, config.sessions().openTimeout());
            Periodic.every(sweeper, "web app expiry", Duration.ofMinutes(1), webAppGrants::sweep);
            WebAppRoutes webAppRoutes = new WebAppRoutes(access, features, presence, webAppGrants,
                    webApps == null ? null : webApps::urls, audit);
            FileRoutes fileRoutes = new FileRoutes(access, features, connector, audit, config.sessions().openTimeout(), gate);
            List<String> userCaKeys = List.of(userCa.publicKeyLine());
            EnrollmentRoutes enrollmentRoutes = new EnrollmentRoutes(enrollments, enrollmentStore, loginAttempts, relayKeys,
                    userCaKeys);
            AuditRoutes auditRoutes = new AuditRoutes(audit);
            SessionRoutes sessionRoutes = new SessionRoutes(sessions, audit);
            AgentConnectEndpoint agentConnect = new AgentConnectEndpoint(devices, registry, broker, audit, relayKeys,
                    userCaKeys, rotation(config, relayKey, relayKeys.get(), userCaKeys), features,
                    new DeviceProofs(Clock.systemUTC(), oneTimeIds),
                    scheduler, limits.authTimeout(), agentConnects,
                    new HandshakeGate(network.concurrentDeviceHandshakes(), network.shellHandshakeReserve() >= 0
                            ? network.shellHandshakeReserve() : HandshakeGate.defaultShellReserve(network.concurrentDeviceHandshakes()),
                            limits.authTimeout().toNanos(), System::nanoTime),
                    refusals, metrics,
                    new FactsIntake(factsStore, config.factsInterval(), Clock.systemUTC()));
            this.siblingStreams = cluster == null ? null : new SiblingStreamClient();
            AgentStreamEndpoint agentStreams = new AgentStreamEndpoint(broker, keepalive, siblingStreams);
            TerminalEndpoint terminal = new TerminalEndpoint(gate, access, sessions, audit, opener, keepalive, metrics);
            this.sharing = new Sharing(sessions, new SessionShares(Clock.systemUTC(), id -> sessions.find(id).isPresent()),
                    access, users, audit);
            ShareRoutes shareRoutes = new ShareRoutes(sharing, siblingRequests);
            WatchEndpoint watch = new WatchEndpoint(gate, sessions, sharing, keepalive, siblingRequests, siblingStreams);
            NativeSshEndpoint nativeSsh = new NativeSshEndpoint(gate, access, presence, broker, audit, keepalive,
                    config.sessions().openTimeout(), metrics, new NativeSshRecording(recordings::policy));
            DeviceLifecycle lifecycle = new DeviceLifecycle(enrollments, devices, registry, sessions, nativeSsh, accessChanges);
            AccessSweep accessSweep = new AccessSweep(users, devices, sessions, nativeSsh, apiTokens::stillValid,
                    sharing::withdraw);
            if (cluster != null) {
                cluster.onAccessChange(lifecycle::recheck, accessSweep::sweepOperator, sweeper);
                Periodic.every(sweeper, "cluster shared state sweep", config.pingInterval(), cluster::sweepShared);
            }
            // Database sweeps on their own thread: a slow database never delays pings and timeouts.
            Periodic.every(sweeper, "revocation sweep", config.pingInterval(), lifecycle::sweep);
            Periodic.every(sweeper, "access sweep", config.pingInterval(), accessSweep::sweep);
            DeviceRoutes deviceRoutes = new DeviceRoutes(devices, presence, access, lifecycle, features, factsStore,
                    recordings::effective, audit,
                    accessSweep::sweep);
            UserRoutes userRoutes = new UserRoutes(users, hasher, hashing, audit, username -> {
                accessChanges.operatorChanged(username);
                accessSweep.sweepOperator(username);
            });
            SingleSignOn sso = config.oidc() == null ? null : SingleSignOn.wire(config.oidc(), tokenSecret, users, audit,
                    issuer, tokens, oneTimeIds, loginAttempts, config.secureCookies() || config.browsersUseTls(), username -> {
                        accessChanges.operatorChanged(username);
                        accessSweep.sweepOperator(username);
                    });
            long idleMillis = 2 * config.pingInterval().toMillis() + 10_000;
            this.readiness = new Readiness(() -> cluster == null ? Map.of("devicesOnline", registry.onlineCount())
                    : Map.of("devicesOnline", registry.onlineCount(), "cluster", cluster.status()));
            readiness.add("starting", () -> started ? null : "the relay is starting");
            readiness.add("draining", () -> sessions.isAccepting() ? null : "the relay is shutting down (draining)");
            readiness.add("store", storeHealth::problem);
            if (cluster != null) {
                readiness.addDegradation("nats", () -> cluster.degradedReason() == null ? null
                        : "cannot reach NATS: sessions to devices linked to other relays fail; this relay's own devices still work");
            }
            AtomicInteger pendingDevices = new AtomicInteger();
            Periodic.every(sweeper, "pending devices count", config.pingInterval(),
                    () -> pendingDevices.set(devices.list(Device.Status.PENDING).size()));
            exportMeters(governor, nativeSsh, fileRoutes, limiters, pendingDevices);
            MetricsAccess metricsAccess = new MetricsAccess(config.metrics().scrapeToken());
            MetricsRoute metricsRoute = new MetricsRoute(metrics, metricsAccess, auth);

            this.app = Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.jsonMapper(new Json());
                cfg.contextResolver.ip = clientAddress::of;
                if (RelayServer.class.getResource("/public/index.html") != null) {
                    cfg.staticFiles.add("/public", Location.CLASSPATH);
                } else {
                    log.warn("web UI not bundled (no /public on the classpath): serving the API only");
                }
                cfg.jetty.addConnector(listener::create);
                TerminalCompression compression = config.sessions().compression();
                AtomicReference<ServletContextHandler> context = new AtomicReference<>();
                cfg.jetty.modifyServletContextHandler(handler -> {
                    context.set(handler);
                    compression.configure(handler);
                });
                cfg.jetty.modifyWebSocketServletFactory(ws -> {
                    compression.apply(context.get());
                    ws.setIdleTimeout(Duration.ofMillis(idleMillis));
                    ws.setMaxBinaryMessageSize(Protocol.MAX_FRAME_BYTES);
                    ws.setMaxTextMessageSize(MAX_TEXT_MESSAGE_BYTES);
                });
                ErrorResponses.install(cfg.routes);
                cfg.routes.before(ctx -> {
                    securityHeaders.apply(ctx); // first, so refusals below carry them too
                    hosts.check(ctx);
                });
                cfg.routes.wsBeforeUpgrade(hosts::check);
                cfg.routes.before("/api/*", ctx -> {
                    if (!SAFE_METHODS.contains(ctx.method().name())) {
                        origins.check(ctx); // cookies ride along on cross-site requests; tokens in headers do not
                    }
                    if (!ctx.path().equals("/api/v1/auth/login") && !ctx.path().equals("/api/v1/auth/logout")
                            && !ctx.path().equals(MfaRoutes.LOGIN_STEP)
                            && !PasskeyRoutes.isPublic(ctx.path()) && !ctx.path().startsWith(OidcRoutes.PREFIX)) {
                        auth.authenticate(ctx);
                    }
                });
                // While draining, agents are turned away too: they would only be shown online on a relay
                // that refuses sessions. They retry with backoff and find the next relay.
                cfg.routes.wsBeforeUpgrade(Protocol.CONNECT_PATH, ctx -> refuseWhileDraining());
                cfg.routes.wsBeforeUpgrade(NativeSshEndpoint.PATH, ctx -> refuseWhileDraining());
                cfg.routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
                readiness.install(cfg.routes);
                metricsRoute.install(cfg.routes);
                if (sso != null) {
                    sso.install(cfg.routes); // its password switch runs before the login route
                }
                authRoutes.install(cfg.routes);
                mfaRoutes.install(cfg.routes);
                passkeyRoutes.install(cfg.routes);
                stepUpRoutes.install(cfg.routes);
                tokenRoutes.install(cfg.routes);
                deviceFilterRoutes.install(cfg.routes);
                deviceRoutes.install(cfg.routes);
                userRoutes.install(cfg.routes);
                featureRoutes.install(cfg.routes);
                certificateRoutes.install(cfg.routes);
                fileRoutes.install(cfg.routes);
                runRoutes.install(cfg.routes);
                webAppRoutes.install(cfg.routes);
                enrollmentRoutes.install(cfg.routes);
                auditRoutes.install(cfg.routes);
                sessionRoutes.install(cfg.routes);
                recordingRoutes.install(cfg.routes);
                rateLimitRoutes.install(cfg.routes);
                agentConnect.install(cfg.routes);
                agentStreams.install(cfg.routes);
                terminal.install(cfg.routes);
                watch.install(cfg.routes);
                shareRoutes.install(cfg.routes);
                nativeSsh.install(cfg.routes);
            });
        } catch (IOException | RuntimeException e) {
            if (node != null) {
                node.close();
            }
            database.close(); // releases the state dir's lock: the same JVM may start a relay there again
            metrics.close();
            throw e;
        }
    }

    private static byte[] jwtSecret(RelayConfig config) throws IOException {
        if (config.jwtSecret() != null) {
            return config.jwtSecret();
        }
        String secret = KeyFiles.readOrCreateSecret(config.stateDir().resolve("jwt.secret"),
                () -> SecretTokens.generate() + SecretTokens.generate());
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    public RelayServer start() {
        app.start();
        if (cluster != null) {
            try {
                cluster.join(registry, broker, id -> sessions.find(id).isPresent(), baseUrl(), scheduler);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        metrics.bindJetty(app.jettyServer().threadPool());
        if (webAppsStart != null) {
            try {
                webAppsStart.call();
            } catch (Exception e) {
                close();
                throw new IllegalStateException("cannot serve web apps on " + config.webApps().listenHost() + ":"
                        + config.webApps().listenPort() + ": " + e.getMessage(), e);
            }
        }
        RelayConfig.Metrics scrape = config.metrics();
        if (scrape.listenHost() != null) {
            try {
                metricsListener = new MetricsListener(scrape.listenHost(), scrape.listenPort(), metrics,
                        new MetricsAccess(scrape.scrapeToken()));
            } catch (IOException e) {
                close();
                throw new java.io.UncheckedIOException("cannot listen for metrics on " + scrape.listenHost() + ":"
                        + scrape.listenPort(), e);
            }
        }
        started = true;
        log.info("relay listening on {}", baseUrl());
        return this;
    }

    /** The relay's own meters: each reads state its component keeps anyway, at scrape time. */
    private void exportMeters(OutputGovernor governor, NativeSshEndpoint nativeSsh, FileRoutes files,
                              Map<String, Throttle> limiters, AtomicInteger pendingDevices) {
        String relayId = config.cluster() == null ? "standalone" : config.cluster().relayId();
        metrics.gauge("devtunnel.devices.online", "Devices whose control link this relay holds", registry::onlineCount,
                "relay", relayId);
        metrics.gauge("devtunnel.devices.pending", "Enrolled devices waiting for an admin's approval", pendingDevices::get);
        metrics.gauge("devtunnel.sessions.open", "Sessions open on this relay", () -> sessions.all().size(),
                "kind", RelayMetrics.TERMINAL);
        metrics.gauge("devtunnel.sessions.open", "Sessions open on this relay", nativeSsh::openCount,
                "kind", RelayMetrics.NATIVE);
        metrics.gauge("devtunnel.sessions.open", "Sessions open on this relay", files::runningCount,
                "kind", RelayMetrics.FILE);
        metrics.gauge("devtunnel.sessions.paced", "Terminal sessions slowed so that others' echoes stay quick",
                governor::pacedSessions);
        SessionTraffic traffic = sessions.traffic();
        metrics.total("devtunnel.terminal.output", "Shell output relayed towards browsers", "bytes",
                traffic, SessionTraffic::bytesOut);
        metrics.total("devtunnel.terminal.input", "Operator input relayed to devices", "bytes",
                traffic, SessionTraffic::bytesIn);
        metrics.gauge("devtunnel.terminal.watchers", "People watching shared terminal sessions on this relay",
                traffic::watchers);
        metrics.total("devtunnel.flow.control.stalls", "Times a session stopped reading its shell for a slow browser",
                null, traffic, SessionTraffic::stalls);
        limiters.forEach((name, limiter) -> metrics.total("devtunnel.rate.limited", "Requests refused by a rate limit",
                null, limiter, Throttle::refusedTotal, "limiter", name));
        metrics.gauge("devtunnel.store.heartbeat.seconds", "Seconds the last store heartbeat write took",
                storeHealth::lastProbeSeconds);
        metrics.gauge("devtunnel.ready", "1 while /readyz answers 200", () -> readiness.isReady() ? 1 : 0);
    }

    /** Readiness checks; cluster components add theirs (e.g. "nats") before {@link #start()}. */
    public Readiness readiness() {
        return readiness;
    }

    /** The port {@code --metrics-listen} bound (useful with port 0), or -1 without one. */
    public int metricsPort() {
        return metricsListener == null ? -1 : metricsListener.port();
    }

    public int port() {
        return app.port();
    }

    /** Where browsers reach web apps, or null without {@code --web-apps-listen}. */
    public WebAppUrls webAppUrls() {
        return webApps == null ? null : webApps.urls();
    }

    public String baseUrl() {
        return (listener.secure() ? "https://" : "http://") + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + port();
    }

    public UserStore users() { return users; }
    public DeviceStore devices() { return devices; }
    public Enrollments enrollments() { return enrollments; }
    /** Shares and watchers of this relay's terminal sessions. */
    public Sharing sharing() {
        return sharing;
    }

    public AuditLog audit() { return audit; }
    public SessionSlots sessionLimits() { return sessionLimits; }
    public PasswordHasher passwordHasher() { return hasher; }
    public DeviceRegistry registry() { return registry; }
    public TerminalSessions sessions() { return sessions; }
    public DeviceSshConnector sshConnector() { return sshConnector; }

    private void refuseWhileDraining() {
        if (!sessions.isAccepting()) {
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "The relay is shutting down.");
        }
    }

    /**
     * Graceful shutdown: refuse new sessions (and /readyz turns 503), tell every agent to reconnect
     * after {@code agentReconnectAfter} (plus jitter), let sessions finish for up to {@code timeout},
     * then hand the rest over: their browsers get close 1001 and resume (on a sibling relay, or here
     * after the restart), their devices keep the shells for that resume. Call {@link #close()} afterwards.
     *
     * @return true when every session ended by itself
     */
    public boolean drain(Duration timeout, Duration agentReconnectAfter) throws InterruptedException {
        sessions.stopAccepting();
        int open = sessions.all().size();
        log.info("draining: {} session(s) open, waiting up to {} s; agents reconnect in {} ms",
                open, timeout.toSeconds(), agentReconnectAfter.toMillis());
        registry.drainAll(agentReconnectAfter, SHUTDOWN_MESSAGE);
        boolean clean = sessions.awaitAllClosed(timeout);
        if (!clean) {
            log.info("drain timeout reached; handing {} session(s) over to be resumed", sessions.all().size());
            sessions.handOverAll(SHUTDOWN_MESSAGE);
        }
        return clean;
    }

    private void sessionClosed(TerminalSession s) {
        sessionLimits.release(s.operator(), s.deviceId());
        audit.record("session.close", s.operator(), s.deviceId(), s.id(), null,
                "bytesOut=" + s.bytesOut() + " bytesIn=" + s.bytesIn()
                        + " seconds=" + Duration.between(s.startedAt(), Instant.now()).toSeconds());
    }

    @Override
    public void close() {
        started = false;
        if (metricsListener != null) {
            metricsListener.close();
        }
        if (webApps != null) {
            webApps.close();
        }
        if (idleReaper != null) {
            idleReaper.close();
        }
        sessions.stopAccepting();
        sessions.terminateAll(ErrorCode.SERVICE_UNAVAILABLE, SHUTDOWN_MESSAGE, GOING_AWAY);
        sessions.close();
        if (fleetRuns != null) {
            fleetRuns.close();
        }
        app.stop();
        keepalive.close();
        if (siblingStreams != null) {
            siblingStreams.close();
        }
        refusals.close();
        registry.close();
        if (cluster != null) {
            cluster.close(); // after the links went down with the server, before the database closes
        }
        try {
            sshClient.close();
        } catch (IOException e) {
            log.warn("closing the SSH client: {}", e.toString());
        }
        scheduler.shutdownNow();
        sweeper.shutdownNow();
        opener.shutdownNow();
        database.close();
        metrics.close();
    }
}
