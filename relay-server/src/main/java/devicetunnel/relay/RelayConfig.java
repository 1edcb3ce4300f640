package devicetunnel.relay;

import devicetunnel.relay.auth.ExternalIssuer;
import devicetunnel.relay.auth.MfaPolicy;
import devicetunnel.relay.cluster.ClusterConfig;
import devicetunnel.relay.recording.InputRecording;
import devicetunnel.relay.recording.LabelPolicies;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a relay needs to start. Built by the CLI from flags and environment, or by tests.
 *
 * @param databaseUrl    JDBC URL; null means the embedded SQLite store in {@code stateDir}
 * @param jwtSecret      HMAC key for operator tokens; null means one generated into {@code stateDir}
 * @param externalIssuer another issuer whose operator tokens are accepted; null for none
 * @param tls            certificate and key to serve HTTPS/WSS with; null serves plain HTTP
 * @param allowPlainHttp serve plain HTTP on a non-loopback address (only behind a TLS-terminating proxy,
 *                       so it implies Secure cookies, HSTS and an https origin)
 * @param maintenance    store upkeep: health probes, scheduled backups, audit retention
 * @param cluster        cluster mode (shared presence, routing to sibling relays); null for a single node
 * @param metrics        who may read {@code /metrics}, and where besides the main port
 * @param identity       second factors: where their key lives, which roles must use one, how fast codes may be tried
 * @param factsInterval  how often agents look at their facts again (inventory; sent only when changed)
 * @param oidc           single sign-on with an OpenID Connect provider; null for none
 * @param webApps        device web apps: their own listener and public URL form (off unless given a listener)
 */
public record RelayConfig(
        String host,
        int port,
        Path stateDir,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        byte[] jwtSecret,
        ExternalIssuer externalIssuer,
        Duration tokenLifetime,
        Duration pingInterval,
        boolean secureCookies,
        TlsFiles tls,
        boolean allowPlainHttp,
        Hardening hardening,
        TerminalSessions.Settings sessions,
        Maintenance maintenance, ClusterConfig cluster, Metrics metrics, Identity identity, Duration factsInterval,
        devicetunnel.relay.auth.oidc.OidcSettings oidc,
        WebApps webApps) {

    /**
     * Device web apps ({@code --web-apps-listen}, {@code --web-apps-url}).
     *
     * @param listenHost  the address of the web-apps listener; null: this relay serves no web apps
     * @param listenPort  its port (0: any free one)
     * @param urlTemplate how browsers reach it, {@code *} for each app's id (e.g. {@code https://*.apps.example.net});
     *                    null: {@code http(s)://*.localhost:<port>}, for a relay used from its own machine
     */
    public record WebApps(String listenHost, int listenPort, String urlTemplate) {
        public static WebApps off() {
            return new WebApps(null, 0, null);
        }

        public boolean enabled() {
            return listenHost != null;
        }
    }

    /**
     * Where Prometheus reads {@code /metrics}. The main port always serves it to admins (and to the
     * scrape token's holder).
     *
     * @param listenHost  a separate address serving only {@code /metrics}; null for none
     * @param listenPort  its port (0: any free one)
     * @param scrapeToken bearer token a scraper presents instead of an admin's login; null for none
     */
    public record Metrics(String listenHost, int listenPort, String scrapeToken) {
        public static Metrics defaults() {
            return new Metrics(null, 0, null);
        }
    }

    /**
     * Second factors.
     *
     * @param totpKeyFile          the key TOTP secrets are encrypted with; null = {@code <state-dir>/totp.key},
     *                             generated at first start (share it across a cluster like jwt.secret)
     * @param requireMfa           roles that must use a second factor (their logins without one may only enrol)
     * @param mfaAttemptsPerMinute second-factor attempts per account (0 = off)
     * @param webauthnRpId         the RP ID passkeys are bound to; null = the host name browsers use
     * @param stepUpSelector       devices (label selector, e.g. {@code env=prod}) whose new sessions need a
     *                             recent second factor; null = none
     * @param stepUpMaxAge         how recent that factor must be
     */
    public record Identity(Path totpKeyFile, MfaPolicy requireMfa, int mfaAttemptsPerMinute, String webauthnRpId,
                           String stepUpSelector, Duration stepUpMaxAge) {
        public static final Duration DEFAULT_STEP_UP_MAX_AGE = Duration.ofMinutes(15);

        public Identity(Path totpKeyFile, MfaPolicy requireMfa, int mfaAttemptsPerMinute) {
            this(totpKeyFile, requireMfa, mfaAttemptsPerMinute, null, null, DEFAULT_STEP_UP_MAX_AGE);
        }

        public static Identity defaults() {
            return new Identity(null, MfaPolicy.NONE, 5);
        }

        public Identity withRequireMfa(MfaPolicy policy) {
            return new Identity(totpKeyFile, policy, mfaAttemptsPerMinute, webauthnRpId, stepUpSelector, stepUpMaxAge);
        }

        public Identity withMfaAttemptsPerMinute(int perMinute) {
            return new Identity(totpKeyFile, requireMfa, perMinute, webauthnRpId, stepUpSelector, stepUpMaxAge);
        }

        public Identity withStepUp(String selector, Duration maxAge) {
            return new Identity(totpKeyFile, requireMfa, mfaAttemptsPerMinute, webauthnRpId, selector, maxAge);
        }
    }

    /**
     * Store upkeep.
     *
     * @param healthProbe    how often /readyz's view of the store is refreshed by a real write
     * @param backupInterval how often the embedded store is backed up; zero = never
     * @param backupDir      where scheduled backups go; null = {@code <state-dir>/backups}
     * @param backupKeep     how many scheduled backups are kept (the oldest go first)
     * @param auditRetention audit events older than this are removed (and that is audited); zero = forever
     * @param recordingsDir  where session recordings go; null = {@code <state-dir>/recordings} (in a cluster, a
     *                       directory every relay mounts)
     * @param recordingRetention recordings started longer ago are removed (and that is audited); zero = forever
     * @param recordingLabelPolicies recording policies by device label, on top of each device's own
     * @param recordingInput whose keystrokes recorded sessions keep (none by default)
     */
    public record Maintenance(Duration healthProbe, Duration backupInterval, Path backupDir, int backupKeep,
                              Duration auditRetention, Path recordingsDir, Duration recordingRetention,
                              LabelPolicies recordingLabelPolicies, InputRecording recordingInput) {
        public static Maintenance defaults() {
            return new Maintenance(Duration.ofSeconds(5), Duration.ofHours(24), null, 7, Duration.ZERO, null,
                    Duration.ofDays(90), LabelPolicies.NONE, InputRecording.NONE);
        }

        public Maintenance withHealthProbe(Duration every) {
            return new Maintenance(every, backupInterval, backupDir, backupKeep, auditRetention, recordingsDir,
                    recordingRetention, recordingLabelPolicies, recordingInput);
        }

        public Maintenance withBackups(Duration every, Path dir, int keep) {
            return new Maintenance(healthProbe, every, dir, keep, auditRetention, recordingsDir, recordingRetention,
                    recordingLabelPolicies, recordingInput);
        }

        public Maintenance withAuditRetention(Duration keepFor) {
            return new Maintenance(healthProbe, backupInterval, backupDir, backupKeep, keepFor, recordingsDir,
                    recordingRetention, recordingLabelPolicies, recordingInput);
        }

        public Maintenance withRecordings(Path dir, Duration keepFor) {
            return new Maintenance(healthProbe, backupInterval, backupDir, backupKeep, auditRetention, dir, keepFor,
                    recordingLabelPolicies, recordingInput);
        }

        public Maintenance withRecordingLabelPolicies(LabelPolicies policies) {
            return new Maintenance(healthProbe, backupInterval, backupDir, backupKeep, auditRetention, recordingsDir,
                    recordingRetention, policies, recordingInput);
        }

        public Maintenance withRecordingInput(InputRecording rules) {
            return new Maintenance(healthProbe, backupInterval, backupDir, backupKeep, auditRetention, recordingsDir,
                    recordingRetention, recordingLabelPolicies, rules);
        }
    }

    /**
     * Limits that keep one client from hurting the others.
     *
     * @param allowedOrigins      browser origins allowed besides the relay's own
     * @param loginsPerMinute     login and enrollment attempts per client IP (burst of the same size; 0 = off)
     * @param sessionOpensPerMinute terminal session opens and resumes per client IP (0 = off)
     * @param idleTimeout         a terminal session without input for this long is closed (zero = never)
     * @param authTimeout         a connection must have authenticated (HTTP: sent its request; agent: said hello) by then
     * @param network             who the clients are and which names the relay answers to
     */
    public record Hardening(List<String> allowedOrigins, int loginsPerMinute, int sessionOpensPerMinute,
                            int maxSessionsPerDevice, int maxSessionsPerOperator, Duration idleTimeout,
                            Duration authTimeout, Network network) {

        public Hardening(List<String> allowedOrigins, int loginsPerMinute, int sessionOpensPerMinute,
                         int maxSessionsPerDevice, int maxSessionsPerOperator, Duration idleTimeout, Duration authTimeout) {
            this(allowedOrigins, loginsPerMinute, sessionOpensPerMinute, maxSessionsPerDevice, maxSessionsPerOperator,
                    idleTimeout, authTimeout, Network.defaults());
        }

        public static Hardening defaults() {
            return new Hardening(List.of(), 10, 30, 8, 16, Duration.ofMinutes(30), Duration.ofSeconds(10));
        }

        public Hardening withAllowedOrigins(List<String> origins) {
            return new Hardening(origins, loginsPerMinute, sessionOpensPerMinute, maxSessionsPerDevice,
                    maxSessionsPerOperator, idleTimeout, authTimeout, network);
        }

        public Hardening withRates(int logins, int sessionOpens) {
            return new Hardening(allowedOrigins, logins, sessionOpens, maxSessionsPerDevice, maxSessionsPerOperator,
                    idleTimeout, authTimeout, network);
        }

        public Hardening withSessionCaps(int perDevice, int perOperator) {
            return new Hardening(allowedOrigins, loginsPerMinute, sessionOpensPerMinute, perDevice, perOperator,
                    idleTimeout, authTimeout, network);
        }

        public Hardening withTimeouts(Duration idle, Duration auth) {
            return new Hardening(allowedOrigins, loginsPerMinute, sessionOpensPerMinute, maxSessionsPerDevice,
                    maxSessionsPerOperator, idle, auth, network);
        }

        public Hardening withNetwork(Network settings) {
            return new Hardening(allowedOrigins, loginsPerMinute, sessionOpensPerMinute, maxSessionsPerDevice,
                    maxSessionsPerOperator, idleTimeout, authTimeout, settings);
        }
    }

    /**
     * @param trustedProxies          addresses/CIDRs whose X-Forwarded-For is believed (empty: the header is ignored)
     * @param allowedHosts            Host names the relay answers to (empty: loopback names on a loopback listener, else any)
     * @param loginsPerAccountPerMinute login attempts per username, whatever the address (0 = off)
     * @param agentConnectsPerMinute  control-link upgrades per peer address (0 = off)
     * @param concurrentPasswordHashes Argon2 verifications at once (each holds 19 MiB)
     * @param refusalLogInterval      repeated agent refusals (same device and reason) are logged once per interval
     * @param concurrentDeviceHandshakes device control links between upgrade and welcome at once; more are refused (503)
     * @param shellHandshakeReserve   handshakes past that bound that only devices with shells to resume may take
     *                                ({@link #AUTO_RESERVE}: a quarter of the bound, at least 4)
     */
    public record Network(List<String> trustedProxies, List<String> allowedHosts, int loginsPerAccountPerMinute,
                          int agentConnectsPerMinute, int concurrentPasswordHashes, Duration refusalLogInterval,
                          int concurrentDeviceHandshakes, int shellHandshakeReserve) {
        public static final int AUTO_RESERVE = -1;

        public static Network defaults() {
            int cores = Runtime.getRuntime().availableProcessors();
            return new Network(List.of(), List.of(), 10, 120, Math.max(2, cores), Duration.ofMinutes(1),
                    defaultDeviceHandshakes(cores), AUTO_RESERVE);
        }

        /** Enough to keep every core busy while handshakes wait on the store, few enough to finish in time. */
        private static int defaultDeviceHandshakes(int cores) {
            return Math.max(16, 8 * cores);
        }

        public Network withTrustedProxies(List<String> proxies) {
            return new Network(proxies, allowedHosts, loginsPerAccountPerMinute, agentConnectsPerMinute,
                    concurrentPasswordHashes, refusalLogInterval, concurrentDeviceHandshakes, shellHandshakeReserve);
        }

        public Network withAllowedHosts(List<String> hosts) {
            return new Network(trustedProxies, hosts, loginsPerAccountPerMinute, agentConnectsPerMinute,
                    concurrentPasswordHashes, refusalLogInterval, concurrentDeviceHandshakes, shellHandshakeReserve);
        }

        public Network withRates(int loginsPerAccount, int agentConnects) {
            return new Network(trustedProxies, allowedHosts, loginsPerAccount, agentConnects,
                    concurrentPasswordHashes, refusalLogInterval, concurrentDeviceHandshakes, shellHandshakeReserve);
        }

        public Network withConcurrentPasswordHashes(int hashes) {
            return new Network(trustedProxies, allowedHosts, loginsPerAccountPerMinute, agentConnectsPerMinute,
                    hashes, refusalLogInterval, concurrentDeviceHandshakes, shellHandshakeReserve);
        }

        public Network withRefusalLogInterval(Duration interval) {
            return new Network(trustedProxies, allowedHosts, loginsPerAccountPerMinute, agentConnectsPerMinute,
                    concurrentPasswordHashes, interval, concurrentDeviceHandshakes, shellHandshakeReserve);
        }

        public Network withConcurrentDeviceHandshakes(int handshakes) {
            return new Network(trustedProxies, allowedHosts, loginsPerAccountPerMinute, agentConnectsPerMinute,
                    concurrentPasswordHashes, refusalLogInterval, handshakes, shellHandshakeReserve);
        }

        /** {@code reserve} handshakes past the bound for devices with shells to resume; {@link #AUTO_RESERVE} for the default. */
        public Network withShellHandshakeReserve(int reserve) {
            return new Network(trustedProxies, allowedHosts, loginsPerAccountPerMinute, agentConnectsPerMinute,
                    concurrentPasswordHashes, refusalLogInterval, concurrentDeviceHandshakes, reserve);
        }
    }

    public boolean tlsEnabled() {
        return tls != null;
    }

    /**
     * Whether browsers reach the relay over TLS: its own, or the TLS-terminating proxy that
     * {@code --allow-plain-http} exists for. Then cookies are Secure, HSTS is sent and the origin
     * check expects https.
     */
    public boolean browsersUseTls() {
        return tls != null || allowPlainHttp;
    }

    public RelayConfig withDatabaseUrl(String url) {
        return toBuilder().database(url, databaseUser, databasePassword).build();
    }

    public RelayConfig withPingInterval(Duration interval) {
        return toBuilder().pingInterval(interval).build();
    }

    public RelayConfig withFactsInterval(Duration interval) {
        return toBuilder().factsInterval(interval).build();
    }

    public RelayConfig withSessions(TerminalSessions.Settings settings) {
        return toBuilder().sessions(settings).build();
    }

    public RelayConfig withCluster(ClusterConfig clusterConfig) {
        return toBuilder().cluster(clusterConfig).build();
    }

    /** Same config on a fixed port (a restarted relay comes back where its agents look for it). */
    public RelayConfig withPort(int fixedPort) {
        return toBuilder().listen(host, fixedPort).build();
    }

    public RelayConfig withTokenLifetime(Duration lifetime) {
        return toBuilder().tokenLifetime(lifetime).build();
    }

    public RelayConfig withHardening(Hardening settings) {
        return toBuilder().hardening(settings).build();
    }

    public RelayConfig withTls(TlsFiles files) {
        return toBuilder().tls(files).build();
    }

    public RelayConfig withExternalIssuer(ExternalIssuer issuer) {
        return toBuilder().externalIssuer(issuer).build();
    }

    public RelayConfig withMaintenance(Maintenance settings) {
        return toBuilder().maintenance(settings).build();
    }

    public RelayConfig withMetrics(Metrics settings) {
        return toBuilder().metrics(settings).build();
    }

    public RelayConfig withWebApps(WebApps settings) {
        return toBuilder().webApps(settings).build();
    }

    public RelayConfig withIdentity(Identity settings) {
        return toBuilder().identity(settings).build();
    }

    public RelayConfig withOidc(devicetunnel.relay.auth.oidc.OidcSettings settings) {
        return toBuilder().oidc(settings).build();
    }

    public RelayConfig withListen(String newHost, boolean plainHttpAllowed) {
        return toBuilder().listen(newHost, port).allowPlainHttp(plainHttpAllowed).build();
    }

    /**
     * Refuses, with words an operator can act on, a configuration that cannot work. The relay
     * calls it once at start, before it touches a file, a socket or a database.
     */
    public void checkConfig() {
        require(stateDir != null, "a state directory is needed (--state-dir)");
        require(port >= 0 && port <= 65_535, "the listen port must be from 0 to 65535, not " + port);
        require(positive(pingInterval), "--ping-interval must be more than zero");
        require(positive(factsInterval) && factsInterval.compareTo(Duration.ofSeconds(1)) >= 0,
                "--facts-interval must be at least 1s");
        require(positive(tokenLifetime), "--token-lifetime must be more than zero");
        require(webApps != null, "web apps settings are needed (none is WebApps.off())");
        if (webApps.enabled()) {
            require(webApps.listenPort() >= 0 && webApps.listenPort() <= 65_535, "--web-apps-listen needs a port from 0 to 65535");
            require(webApps.urlTemplate() != null || devicetunnel.relay.tls.Listener.isLoopback(webApps.listenHost()),
                    "--web-apps-listen on a non-loopback address needs --web-apps-url (e.g. https://*.apps.example.net)");
            if (webApps.urlTemplate() != null) {
                devicetunnel.relay.webapp.WebAppUrls.parse(webApps.urlTemplate());
            }
        }
        require(hardening != null && sessions != null && maintenance != null && metrics != null,
                "hardening, session, maintenance and metrics settings are needed");
        require(!maintenance.recordingRetention().isNegative(), "--recording-retention cannot be negative");
        require(maintenance.recordingLabelPolicies() != null, "recording label policies are needed (none is LabelPolicies.NONE)");
        require(maintenance.recordingInput() != null, "recording input rules are needed (none is InputRecording.NONE)");
        require(!maintenance.auditRetention().isNegative(), "--audit-retention cannot be negative");
        require(metrics.listenHost() == null || metrics.listenPort() != port || port == 0,
                "--metrics-listen must use another port than --listen (" + port + ")");
        require(jwtSecret == null || jwtSecret.length >= 32,
                "the JWT secret must be at least 32 bytes (the jwt secret file is too short)");
        if (cluster != null) {
            ClusterConfig.checkDatabase(databaseUrl);
        }
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** A builder holding a copy of this config, to change some settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder with the defaults the command line uses, listening on 127.0.0.1:8080. */
    public static Builder builder(Path stateDir) {
        return new Builder(stateDir);
    }

    /** Builds a {@link RelayConfig}; {@link RelayConfig#checkConfig} runs when the relay starts. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private Path stateDir;
        private String databaseUrl;
        private String databaseUser;
        private String databasePassword;
        private byte[] jwtSecret;
        private ExternalIssuer externalIssuer;
        private Duration tokenLifetime = Duration.ofHours(8);
        private Duration pingInterval = Duration.ofSeconds(25);
        private boolean secureCookies;
        private TlsFiles tls;
        private boolean allowPlainHttp;
        private Hardening hardening = Hardening.defaults();
        private TerminalSessions.Settings sessions = TerminalSessions.Settings.defaults();
        private Maintenance maintenance = Maintenance.defaults();
        private ClusterConfig cluster;
        private Metrics metrics = Metrics.defaults();
        private Identity identity = Identity.defaults();
        private Duration factsInterval = Duration.ofMinutes(10);
        private devicetunnel.relay.auth.oidc.OidcSettings oidc;
        private WebApps webApps = WebApps.off();

        private Builder(Path stateDir) {
            this.stateDir = stateDir;
        }

        private Builder(RelayConfig c) {
            host = c.host;
            port = c.port;
            stateDir = c.stateDir;
            databaseUrl = c.databaseUrl;
            databaseUser = c.databaseUser;
            databasePassword = c.databasePassword;
            jwtSecret = c.jwtSecret;
            externalIssuer = c.externalIssuer;
            tokenLifetime = c.tokenLifetime;
            pingInterval = c.pingInterval;
            secureCookies = c.secureCookies;
            tls = c.tls;
            allowPlainHttp = c.allowPlainHttp;
            hardening = c.hardening;
            sessions = c.sessions;
            maintenance = c.maintenance;
            cluster = c.cluster;
            metrics = c.metrics;
            identity = c.identity;
            factsInterval = c.factsInterval;
            oidc = c.oidc;
            webApps = c.webApps;
        }

        public Builder listen(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        /** {@code url} null: the embedded SQLite store in the state directory. */
        public Builder database(String url, String user, String password) {
            this.databaseUrl = url;
            this.databaseUser = user;
            this.databasePassword = password;
            return this;
        }

        /** Null: generated into the state directory on first start. */
        public Builder jwtSecret(byte[] secret) {
            this.jwtSecret = secret;
            return this;
        }

        public Builder externalIssuer(ExternalIssuer issuer) {
            this.externalIssuer = issuer;
            return this;
        }

        public Builder tokenLifetime(Duration lifetime) {
            this.tokenLifetime = lifetime;
            return this;
        }

        public Builder factsInterval(Duration interval) {
            this.factsInterval = interval;
            return this;
        }

        public Builder pingInterval(Duration interval) {
            this.pingInterval = interval;
            return this;
        }

        public Builder secureCookies(boolean secure) {
            this.secureCookies = secure;
            return this;
        }

        public Builder tls(TlsFiles files) {
            this.tls = files;
            return this;
        }

        public Builder allowPlainHttp(boolean allowed) {
            this.allowPlainHttp = allowed;
            return this;
        }

        public Builder hardening(Hardening settings) {
            this.hardening = settings;
            return this;
        }

        public Builder sessions(TerminalSessions.Settings settings) {
            this.sessions = settings;
            return this;
        }

        public Builder maintenance(Maintenance settings) {
            this.maintenance = settings;
            return this;
        }

        /** Null: a single relay on its own store. */
        public Builder cluster(ClusterConfig config) {
            this.cluster = config;
            return this;
        }

        public Builder metrics(Metrics settings) {
            this.metrics = settings;
            return this;
        }

        /** Second factors (TOTP key, roles that require one, attempt rate). */
        public Builder oidc(devicetunnel.relay.auth.oidc.OidcSettings settings) {
            this.oidc = settings;
            return this;
        }

        public Builder identity(Identity settings) {
            this.identity = settings;
            return this;
        }

        public Builder webApps(WebApps settings) {
            this.webApps = settings;
            return this;
        }

        public RelayConfig build() {
            return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                    externalIssuer, tokenLifetime, pingInterval, secureCookies, tls, allowPlainHttp, hardening, sessions,
                    maintenance, cluster, metrics, identity, factsInterval, oidc, webApps);
        }
    }
}
