package devicetunnel.relay.cli;

import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.auth.MfaPolicy;
import devicetunnel.relay.recording.InputRecording;
import devicetunnel.relay.recording.LabelPolicies;
import devicetunnel.relay.RelayServer;
import devicetunnel.relay.auth.ExternalIssuer;
import devicetunnel.relay.tls.TlsFiles;
import devicetunnel.protocol.logging.LogSetup;
import java.io.IOException;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.ws.TerminalCompression;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code relay-server serve}. Threads: registers one shutdown hook that drains, then closes the relay. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the relay: web UI, API, and the endpoints devices connect to.")
final class ServeCommand implements Callable<Integer> {
    /** Agents told to go away wait this long (plus up to as much jitter) before dialling the next relay. */
    private static final Duration AGENT_RECONNECT_AFTER = Duration.ofSeconds(2);

    @Mixin
    StoreOptions store;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--listen", defaultValue = "${env:DT_LISTEN:-127.0.0.1:8080}",
            description = "host:port to listen on (env DT_LISTEN). Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--jwt-secret-file", defaultValue = "${env:DT_JWT_SECRET_FILE}",
            description = "File with the HMAC secret (>= 32 bytes) for the relay's own operator tokens (env DT_JWT_SECRET_FILE). "
                    + "Default: generated into the state dir on first start.")
    Path jwtSecretFile;

    @Option(names = "--jwt-issuer-secret-file", defaultValue = "${env:DT_JWT_ISSUER_SECRET_FILE}",
            description = "HMAC secret (>= 32 bytes) of the external issuer named by --jwt-issuer (HS256/384/512 tokens; "
                    + "env DT_JWT_ISSUER_SECRET_FILE). Must differ from the relay's own secret.")
    Path jwtIssuerSecretFile;

    @Option(names = "--jwt-issuer-max-lifetime", defaultValue = "${env:DT_JWT_ISSUER_MAX_LIFETIME:-1h}",
            converter = DurationConverter.class,
            description = "Longest lifetime (exp - iat) accepted for an external issuer's tokens; they cannot be revoked "
                    + "by logout. Default: ${DEFAULT-VALUE}.")
    Duration jwtIssuerMaxLifetime;

    @Option(names = "--jwt-public-key-file", defaultValue = "${env:DT_JWT_PUBLIC_KEY_FILE}",
            description = "PEM public key (RSA or EC) of an external token issuer; its RS*/PS*/ES* tokens are accepted "
                    + "(env DT_JWT_PUBLIC_KEY_FILE). Needs --jwt-issuer.")
    Path jwtPublicKeyFile;

    @Option(names = "--jwt-issuer", defaultValue = "${env:DT_JWT_ISSUER}",
            description = "'iss' an external issuer's tokens must carry (env DT_JWT_ISSUER). Their 'sub' must name an existing user.")
    String jwtIssuer;

    @Option(names = "--jwt-audience", defaultValue = "${env:DT_JWT_AUDIENCE:-device-tunnel}",
            description = "'aud' an external issuer's tokens must carry. Default: ${DEFAULT-VALUE}.")
    String jwtAudience;

    @Option(names = "--tls-cert-file", defaultValue = "${env:DT_TLS_CERT_FILE}",
            description = "PEM certificate chain to serve HTTPS/WSS with (env DT_TLS_CERT_FILE); needs --tls-key-file.")
    Path tlsCertFile;

    @Option(names = "--tls-key-file", defaultValue = "${env:DT_TLS_KEY_FILE}",
            description = "PEM PKCS#8 private key ('BEGIN PRIVATE KEY') of --tls-cert-file (env DT_TLS_KEY_FILE).")
    Path tlsKeyFile;

    @Option(names = "--tls-pkcs12-file", defaultValue = "${env:DT_TLS_PKCS12_FILE}",
            description = "PKCS#12 key store with the certificate and key, instead of PEM files (env DT_TLS_PKCS12_FILE).")
    Path tlsPkcs12File;

    @Option(names = "--tls-pkcs12-password-file", defaultValue = "${env:DT_TLS_PKCS12_PASSWORD_FILE}",
            description = "File holding the PKCS#12 password (env DT_TLS_PKCS12_PASSWORD_FILE).")
    Path tlsPkcs12PasswordFile;

    @Option(names = "--allow-plain-http", defaultValue = "${env:DT_ALLOW_PLAIN_HTTP:-false}",
            description = "Serve plain HTTP on a non-loopback address (only behind a TLS-terminating proxy).")
    boolean allowPlainHttp;

    @Option(names = "--trusted-proxies", split = ",", defaultValue = "${env:DT_TRUSTED_PROXIES}",
            description = "Addresses or CIDR blocks of reverse proxies whose X-Forwarded-For names the client "
                    + "(env DT_TRUSTED_PROXIES). Default: none, the header is ignored.")
    List<String> trustedProxies;

    @Option(names = "--allowed-hosts", split = ",", defaultValue = "${env:DT_ALLOWED_HOSTS}",
            description = "Host names the relay answers to; other Host headers get 400 (env DT_ALLOWED_HOSTS; '*' = any). "
                    + "Default: loopback names on a loopback listener, else any (with a warning).")
    List<String> allowedHosts;

    @Option(names = "--login-rate-per-account", defaultValue = "${env:DT_LOGIN_RATE_PER_ACCOUNT:-10}",
            description = "Login attempts per minute per username, from any address; 0 = unlimited. Default: ${DEFAULT-VALUE}.")
    int loginRatePerAccount;

    @Option(names = "--agent-connect-rate", defaultValue = "${env:DT_AGENT_CONNECT_RATE:-120}",
            description = "Agent control-link connects per minute per address (a NAT'd fleet shares one); 0 = unlimited. "
                    + "Default: ${DEFAULT-VALUE}.")
    int agentConnectRate;

    @Option(names = "--max-device-handshakes", defaultValue = "${env:DT_MAX_DEVICE_HANDSHAKES:-0}",
            description = "Device connects between upgrade and welcome at once; more are refused (503) and the agents "
                    + "back off, so a reconnect storm after a relay died is taken in order. 0 = 8 per core (at least 16).")
    int maxDeviceHandshakes;

    @Option(names = "--shell-handshake-reserve", defaultValue = "${env:DT_SHELL_HANDSHAKE_RESERVE:-auto}",
            description = "Device connects past --max-device-handshakes that only devices with shells to resume may take, "
                    + "so open shells come back before idle devices after a relay died; 0 = none, auto = a quarter of "
                    + "the bound (at least 4). Default: ${DEFAULT-VALUE}.")
    String shellHandshakeReserve;

    @Option(names = "--max-concurrent-logins", defaultValue = "${env:DT_MAX_CONCURRENT_LOGINS:-0}",
            description = "Password checks (Argon2, 19 MiB each) running at once; more wait up to 2 s, then 429. "
                    + "0 = the number of cores (at least 2).")
    int maxConcurrentLogins;

    @Option(names = "--allowed-origins", split = ",", defaultValue = "${env:DT_ALLOWED_ORIGINS}",
            description = "Browser origins allowed besides the relay's own, e.g. https://ops.example.com (env DT_ALLOWED_ORIGINS).")
    List<String> allowedOrigins;

    @Option(names = "--login-rate", defaultValue = "${env:DT_LOGIN_RATE:-10}",
            description = "Login and enrollment attempts per minute per client IP, 0 = unlimited. Default: ${DEFAULT-VALUE}.")
    int loginRate;

    @Option(names = "--session-rate", defaultValue = "${env:DT_SESSION_RATE:-30}",
            description = "Terminal session opens per minute per client IP, 0 = unlimited. Default: ${DEFAULT-VALUE}.")
    int sessionRate;

    @Option(names = "--max-sessions-per-device", defaultValue = "${env:DT_MAX_SESSIONS_PER_DEVICE:-8}",
            description = "Concurrent terminal sessions per device. Default: ${DEFAULT-VALUE}.")
    int maxSessionsPerDevice;

    @Option(names = "--max-sessions-per-operator", defaultValue = "${env:DT_MAX_SESSIONS_PER_OPERATOR:-16}",
            description = "Concurrent terminal sessions per operator. Default: ${DEFAULT-VALUE}.")
    int maxSessionsPerOperator;

    @Option(names = "--idle-timeout", defaultValue = "${env:DT_IDLE_TIMEOUT:-30m}", converter = DurationConverter.class,
            description = "Close a terminal session after this long without input; 0s = never. Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--auth-timeout", defaultValue = "${env:DT_AUTH_TIMEOUT:-10s}", converter = DurationConverter.class,
            description = "A connection that has not sent its request (or an agent its hello) by then is closed. Default: ${DEFAULT-VALUE}.")
    Duration authTimeout;

    @Option(names = "--token-lifetime", defaultValue = "${env:DT_TOKEN_LIFETIME:-8h}", converter = DurationConverter.class,
            description = "How long an operator login lasts. Default: ${DEFAULT-VALUE}.")
    Duration tokenLifetime;

    @Option(names = "--ping-interval", defaultValue = "${env:DT_PING_INTERVAL:-25s}", converter = DurationConverter.class,
            description = "Keepalive ping interval on every websocket; a device silent for two intervals is offline. Default: ${DEFAULT-VALUE}.")
    Duration pingInterval;

    @Option(names = "--facts-interval", defaultValue = "${env:DT_FACTS_INTERVAL:-10m}", converter = DurationConverter.class,
            description = "How often agents look at their facts (OS, kernel, addresses, agent version, ...) again; "
                    + "they send them only when changed. Default: ${DEFAULT-VALUE}.")
    Duration factsInterval;

    @Option(names = "--session-grace", defaultValue = "${env:DT_SESSION_GRACE:-60s}", converter = DurationConverter.class,
            description = "How long a terminal session waits for its browser to reconnect. Default: ${DEFAULT-VALUE}.")
    Duration sessionGrace;

    @Option(names = "--max-session-duration", defaultValue = "${env:DT_MAX_SESSION_DURATION:-0s}", converter = DurationConverter.class,
            description = "End a terminal session this long after it opened; 0s: no limit. Default: ${DEFAULT-VALUE}.")
    Duration maxSessionDuration;

    @Option(names = "--drain-timeout", defaultValue = "${env:DT_DRAIN_TIMEOUT:-30s}", converter = DurationConverter.class,
            description = "On SIGTERM: refuse new sessions, ask agents to reconnect, let open sessions run this long, "
                    + "then close them. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--interactive-priority", negatable = true, defaultValue = "${env:DT_INTERACTIVE_PRIORITY:-true}",
            fallbackValue = "true",
            description = "While the machine is busy and operators are typing, pace sessions that print in bulk "
                    + "(each gets the same share) so echoes stay quick. Default: ${DEFAULT-VALUE}.")
    boolean interactivePriority;

    @Option(names = "--terminal-compression", defaultValue = "${env:DT_TERMINAL_COMPRESSION:-off}",
            converter = TerminalCompressionConverter.class,
            description = "Accept browsers' permessage-deflate offer on terminal websockets: off, fast (zlib level 1: "
                    + "for browsers on slow links) or default (zlib level 6). Default: ${DEFAULT-VALUE}.")
    TerminalCompression terminalCompression;

    @Option(names = "--secure-cookies", defaultValue = "${env:DT_SECURE_COOKIES:-false}",
            description = "Mark the session cookie Secure. Automatic when the relay serves TLS itself or with --allow-plain-http (a TLS proxy in front).")
    boolean secureCookies;

    @Option(names = "--backup-interval", defaultValue = "${env:DT_BACKUP_INTERVAL:-24h}", converter = DurationConverter.class,
            description = "Back the embedded store up this often (online, VACUUM INTO); 0s = never. Default: ${DEFAULT-VALUE}.")
    Duration backupInterval;

    @Option(names = "--backup-dir", defaultValue = "${env:DT_BACKUP_DIR}",
            description = "Directory for scheduled backups (env DT_BACKUP_DIR). Default: <state-dir>/backups.")
    Path backupDir;

    @Option(names = "--backup-keep", defaultValue = "${env:DT_BACKUP_KEEP:-7}",
            description = "How many scheduled backups to keep; older ones are removed. Default: ${DEFAULT-VALUE}.")
    int backupKeep;

    @Option(names = "--audit-retention", defaultValue = "${env:DT_AUDIT_RETENTION:-0s}", converter = DurationConverter.class,
            description = "Remove audit events older than this (e.g. 365d); the removal is itself audited. "
                    + "0s = keep forever. Default: ${DEFAULT-VALUE}.")
    Duration auditRetention;

    @Option(names = "--recordings-dir", defaultValue = "${env:DT_RECORDINGS_DIR}",
            description = "Where session recordings are written (asciicast v2, gzip). Default: <state-dir>/recordings. "
                    + "In a cluster, give every relay the same shared directory so any relay plays any recording.")
    Path recordingsDir;

    @Option(names = "--recording-retention", defaultValue = "${env:DT_RECORDING_RETENTION:-90d}",
            converter = DurationConverter.class,
            description = "Remove recordings started longer ago than this; the removal is audited. 0s = keep forever. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration recordingRetention;

    @Option(names = "--recording-label-policy", split = ",", defaultValue = "${env:DT_RECORDING_LABEL_POLICIES}",
            paramLabel = "KEY=VALUE:POLICY",
            description = "Record the sessions of devices with this label at least this strictly (off, on, required), "
                    + "e.g. env=prod:required; the stricter of the device's own policy and its labels' applies. Repeatable.")
    List<String> recordingLabelPolicies;

    @Option(names = "--recording-input", split = ",", defaultValue = "${env:DT_RECORDING_INPUT}",
            paramLabel = "role:ROLE|label:KEY=VALUE",
            description = "Also record the keystrokes of recorded sessions whose operator has this role or whose device "
                    + "has this label, e.g. role:operator or label:env=prod (none by default: see SECURITY.md). Repeatable.")
    List<String> recordingInput;

    @Option(names = "--store-probe-interval", defaultValue = "${env:DT_STORE_PROBE_INTERVAL:-5s}", converter = DurationConverter.class,
            description = "How often a test write checks the store for /readyz. Default: ${DEFAULT-VALUE}.")
    Duration storeProbeInterval;

    @Option(names = "--metrics-listen", defaultValue = "${env:DT_METRICS_LISTEN}",
            description = "host:port serving only /metrics, for a Prometheus on a private network (env DT_METRICS_LISTEN). "
                    + "Default: none; the main port serves /metrics to admins and to the --metrics-token-file holder.")
    String metricsListen;

    @Option(names = "--web-apps-listen", defaultValue = "${env:DT_WEB_APPS_LISTEN}",
            description = "host:port of a listener of its own for device web apps (env DT_WEB_APPS_LISTEN). "
                    + "Default: none (no web apps). See docs/FLEET.md#device-web-apps.")
    String webAppsListen;

    @Option(names = "--web-apps-url", defaultValue = "${env:DT_WEB_APPS_URL}",
            description = "How browsers reach that listener, * standing for each app's id, e.g. https://*.apps.example.net "
                    + "(wildcard DNS and certificate; env DT_WEB_APPS_URL). Default: http://*.localhost:<port> "
                    + "(only for a relay used from its own machine).")
    String webAppsUrl;

    @Option(names = "--metrics-token-file", defaultValue = "${env:DT_METRICS_TOKEN_FILE}",
            description = "File with a bearer token that may read /metrics without an admin login; "
                    + "required on --metrics-listen too once given (env DT_METRICS_TOKEN_FILE).")
    Path metricsTokenFile;

    @Option(names = "--log-format", defaultValue = "${env:DT_LOG_FORMAT:-text}",
            description = "text, or json: one object a line (time, level, logger, message, device, session, operator, "
                    + "relay). Default: ${DEFAULT-VALUE}.")
    String logFormat;

    @Option(names = "--log-levels", defaultValue = "${env:DT_LOG_LEVELS}",
            description = "Levels per logger, e.g. devicetunnel.relay.http=debug,org.eclipse.jetty=warn (env DT_LOG_LEVELS).")
    String logLevels;

    @Option(names = "--totp-key-file", defaultValue = "${env:DT_TOTP_KEY_FILE}",
            description = "Key (32 bytes, base64, mode 0600) that encrypts TOTP secrets and keys recovery-code hashes "
                    + "(env DT_TOTP_KEY_FILE). Default: <state-dir>/totp.key, generated at first start. Every relay of a "
                    + "cluster needs the same one.")
    Path totpKeyFile;

    @Option(names = "--require-mfa", split = ",", defaultValue = "${env:DT_REQUIRE_MFA}",
            description = "Roles that must use a second factor, e.g. admin,operator (env DT_REQUIRE_MFA); their logins "
                    + "without one may only set one up. Default: none.")
    List<String> requireMfa;

    @Option(names = "--mfa-rate-per-account", defaultValue = "${env:DT_MFA_RATE_PER_ACCOUNT:-5}",
            description = "Second-factor attempts per account per minute, across the cluster (0 = off). Default: ${DEFAULT-VALUE}.")
    int mfaRatePerAccount;

    @Option(names = "--webauthn-rp-id", defaultValue = "${env:DT_WEBAUTHN_RP_ID}",
            description = "The domain passkeys are bound to (env DT_WEBAUTHN_RP_ID), e.g. example.com for relays under "
                    + "it. Default: the host name browsers use. Changing it later makes registered passkeys useless.")
    String webauthnRpId;

    @Option(names = "--step-up-selector", defaultValue = "${env:DT_STEP_UP_SELECTOR}",
            description = "Devices whose new sessions need a recent second factor, as a label selector, e.g. env=prod "
                    + "(env DT_STEP_UP_SELECTOR). Default: none.")
    String stepUpSelector;

    @Option(names = "--step-up-max-age", defaultValue = "${env:DT_STEP_UP_MAX_AGE:-15m}", converter = DurationConverter.class,
            description = "How recent that second factor must be (env DT_STEP_UP_MAX_AGE). Default: ${DEFAULT-VALUE}.")
    Duration stepUpMaxAge;

    @Mixin
    OidcOptions oidc = new OidcOptions();

    @Override
    public Integer call() throws Exception {
        if (maxConcurrentLogins < 0 || maxDeviceHandshakes < 0) {
            throw new IllegalArgumentException("--max-concurrent-logins and --max-device-handshakes take 0 (the default) or more");
        }
        int reserve = shellReserve(shellHandshakeReserve); // checked before anything starts
        LogSetup.apply(LogSetup.Format.parse(logFormat), logLevels,
                "relay", cluster.relayId != null ? cluster.relayId : listen);
        String[] address = hostPort(listen, "--listen");
        String host = address[0];
        int port = Integer.parseInt(address[1]);
        byte[] secret = jwtSecretFile == null ? null : Files.readString(jwtSecretFile, StandardCharsets.UTF_8).strip()
                .getBytes(StandardCharsets.UTF_8);
        TerminalSessions.Settings defaults = TerminalSessions.Settings.defaults();
        RelayConfig.Network network = RelayConfig.Network.defaults()
                .withTrustedProxies(trustedProxies == null ? List.of() : trustedProxies)
                .withAllowedHosts(allowedHosts == null ? List.of() : allowedHosts)
                .withRates(loginRatePerAccount, agentConnectRate);
        if (maxConcurrentLogins > 0) {
            network = network.withConcurrentPasswordHashes(maxConcurrentLogins);
        }
        if (maxDeviceHandshakes > 0) {
            network = network.withConcurrentDeviceHandshakes(maxDeviceHandshakes);
        }
        network = network.withShellHandshakeReserve(reserve);
        RelayConfig.Hardening hardening = new RelayConfig.Hardening(allowedOrigins == null ? List.of() : allowedOrigins,
                loginRate, sessionRate, maxSessionsPerDevice, maxSessionsPerOperator, idleTimeout, authTimeout, network);
        RelayConfig config = RelayConfig.builder(store.stateDir)
                .listen(host, port)
                .database(store.databaseUrl, store.databaseUser, store.databasePassword())
                .jwtSecret(secret)
                .externalIssuer(externalIssuer())
                .tokenLifetime(tokenLifetime)
                .pingInterval(pingInterval)
                .factsInterval(factsInterval)
                .secureCookies(secureCookies)
                .tls(tls())
                .allowPlainHttp(allowPlainHttp)
                .hardening(hardening)
                .sessions(defaults.withResumeGrace(sessionGrace).withMaxDuration(maxSessionDuration)
                        .withInteractivePriority(interactivePriority).withCompression(terminalCompression))
                .maintenance(RelayConfig.Maintenance.defaults().withHealthProbe(storeProbeInterval)
                        .withBackups(backupInterval, backupDir, backupKeep).withAuditRetention(auditRetention)
                        .withRecordings(recordingsDir, recordingRetention)
                        .withRecordingLabelPolicies(LabelPolicies.parse(recordingLabelPolicies))
                        .withRecordingInput(InputRecording.parse(recordingInput)))
                .cluster(cluster.config(store.stateDir, store.databaseUrl))
                .metrics(metrics())
                .webApps(webApps())
                .identity(new RelayConfig.Identity(totpKeyFile,
                        MfaPolicy.parse(requireMfa == null ? List.of() : requireMfa), mfaRatePerAccount, webauthnRpId,
                        stepUpSelector, stepUpMaxAge))
                .oidc(oidc.settings())
                .build();
        RelayServer relay = new RelayServer(config).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                relay.drain(drainTimeout, AGENT_RECONNECT_AFTER);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                relay.close();
                stopped.countDown();
            }
        }, "relay-shutdown"));
        stopped.await();
        return 0;
    }

    private static int shellReserve(String value) {
        if (value == null || value.isBlank() || value.strip().equals("auto")) {
            return RelayConfig.Network.AUTO_RESERVE;
        }
        try {
            int reserve = Integer.parseInt(value.strip());
            if (reserve >= 0) {
                return reserve;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("--shell-handshake-reserve takes auto or a number of 0 or more, not '"
                + value.strip() + "'");
    }

    private static String[] hostPort(String value, String option) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(option + " must be host:port, e.g. 127.0.0.1:8080");
        }
        return new String[] {value.substring(0, colon).replace("[", "").replace("]", ""), value.substring(colon + 1)};
    }

    private RelayConfig.Metrics metrics() throws IOException {
        String token = metricsTokenFile == null ? null
                : Files.readString(metricsTokenFile, StandardCharsets.UTF_8).strip();
        if (token != null && token.length() < 16) {
            throw new IllegalArgumentException("--metrics-token-file must hold at least 16 characters");
        }
        if (metricsListen == null || metricsListen.isBlank()) {
            return new RelayConfig.Metrics(null, 0, token);
        }
        String[] address = hostPort(metricsListen, "--metrics-listen");
        return new RelayConfig.Metrics(address[0], Integer.parseInt(address[1]), token);
    }

    private RelayConfig.WebApps webApps() {
        if (webAppsListen == null || webAppsListen.isBlank()) {
            return RelayConfig.WebApps.off();
        }
        String[] address = hostPort(webAppsListen, "--web-apps-listen");
        return new RelayConfig.WebApps(address[0], Integer.parseInt(address[1]), webAppsUrl);
    }

    private ExternalIssuer externalIssuer() throws IOException {
        if (jwtIssuer == null) {
            if (jwtPublicKeyFile != null || jwtIssuerSecretFile != null) {
                throw new IllegalArgumentException("--jwt-public-key-file and --jwt-issuer-secret-file need --jwt-issuer");
            }
            return null;
        }
        if ((jwtPublicKeyFile == null) == (jwtIssuerSecretFile == null)) {
            throw new IllegalArgumentException("--jwt-issuer needs exactly one of --jwt-issuer-secret-file and --jwt-public-key-file");
        }
        ExternalIssuer issuer = jwtPublicKeyFile != null
                ? ExternalIssuer.withPublicKey(jwtIssuer, jwtAudience, ExternalIssuer.readPublicKey(jwtPublicKeyFile))
                : ExternalIssuer.withSecret(jwtIssuer, jwtAudience,
                        Files.readString(jwtIssuerSecretFile, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
        return issuer.withMaxLifetime(jwtIssuerMaxLifetime);
    }

    private TlsFiles tls() throws IOException {
        if (tlsPkcs12File != null) {
            if (tlsPkcs12PasswordFile == null) {
                throw new IllegalArgumentException("--tls-pkcs12-file needs --tls-pkcs12-password-file");
            }
            return TlsFiles.pkcs12(tlsPkcs12File, Files.readString(tlsPkcs12PasswordFile).strip().toCharArray());
        }
        if ((tlsCertFile == null) != (tlsKeyFile == null)) {
            throw new IllegalArgumentException("--tls-cert-file and --tls-key-file go together");
        }
        return tlsCertFile == null ? null : TlsFiles.pem(tlsCertFile, tlsKeyFile);
    }
}
