package devicetunnel.relay;

import devicetunnel.relay.auth.ExternalIssuer;
import devicetunnel.relay.cluster.ClusterConfig;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a relay needs to start. Built by the CLI from flags and environment, or by tests.
 *
 * @param databaseUrl    JDBC URL; null means the embedded H2 database in {@code stateDir}
 * @param jwtSecret      HMAC key for operator tokens; null means one generated into {@code stateDir}
 * @param externalIssuer another issuer whose operator tokens are accepted; null for none
 * @param tls            certificate and key to serve HTTPS/WSS with; null serves plain HTTP
 * @param allowPlainHttp serve plain HTTP on a non-loopback address (only behind a TLS-terminating proxy)
 * @param cluster        cluster mode (shared presence, routing to sibling relays); null for a single node
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
        ClusterConfig cluster) {

    /**
     * Limits that keep one client from hurting the others.
     *
     * @param allowedOrigins      browser origins allowed besides the relay's own
     * @param loginsPerMinute     login and enrollment attempts per client IP (burst of the same size; 0 = off)
     * @param sessionOpensPerMinute terminal session opens per client IP (0 = off)
     * @param idleTimeout         a terminal session without input for this long is closed (zero = never)
     * @param authTimeout         a connection must have authenticated (HTTP: sent its request; agent: said hello) by then
     */
    public record Hardening(List<String> allowedOrigins, int loginsPerMinute, int sessionOpensPerMinute,
                            int maxSessionsPerDevice, int maxSessionsPerOperator, Duration idleTimeout,
                            Duration authTimeout) {
        public static Hardening defaults() {
            return new Hardening(List.of(), 10, 30, 8, 16, Duration.ofMinutes(30), Duration.ofSeconds(10));
        }

        public Hardening withAllowedOrigins(List<String> origins) {
            return new Hardening(origins, loginsPerMinute, sessionOpensPerMinute, maxSessionsPerDevice,
                    maxSessionsPerOperator, idleTimeout, authTimeout);
        }

        public Hardening withRates(int logins, int sessionOpens) {
            return new Hardening(allowedOrigins, logins, sessionOpens, maxSessionsPerDevice, maxSessionsPerOperator,
                    idleTimeout, authTimeout);
        }

        public Hardening withSessionCaps(int perDevice, int perOperator) {
            return new Hardening(allowedOrigins, loginsPerMinute, sessionOpensPerMinute, perDevice, perOperator,
                    idleTimeout, authTimeout);
        }

        public Hardening withTimeouts(Duration idle, Duration auth) {
            return new Hardening(allowedOrigins, loginsPerMinute, sessionOpensPerMinute, maxSessionsPerDevice,
                    maxSessionsPerOperator, idle, auth);
        }
    }

    public static RelayConfig forTests(Path stateDir) {
        return new RelayConfig("127.0.0.1", 0, stateDir, null, null, null, null, null, Duration.ofHours(1),
                Duration.ofSeconds(2), false, null, false, Hardening.defaults(), TerminalSessions.Settings.defaults(), null);
    }

    public boolean tlsEnabled() {
        return tls != null;
    }

    public RelayConfig withDatabaseUrl(String url) {
        return new RelayConfig(host, port, stateDir, url, databaseUser, databasePassword, jwtSecret,
                externalIssuer, tokenLifetime, pingInterval, secureCookies, tls, allowPlainHttp, hardening, sessions, cluster);
    }

    public RelayConfig withPingInterval(Duration interval) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                externalIssuer, tokenLifetime, interval, secureCookies, tls, allowPlainHttp, hardening, sessions, cluster);
    }

    public RelayConfig withSessions(TerminalSessions.Settings settings) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                externalIssuer, tokenLifetime, pingInterval, secureCookies, tls, allowPlainHttp, hardening, settings, cluster);
    }

    public RelayConfig withCluster(ClusterConfig clusterConfig) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                externalIssuer, tokenLifetime, pingInterval, secureCookies, tls, allowPlainHttp, hardening, sessions,
                clusterConfig);
    }

    /** Same config on a fixed port (a restarted relay comes back where its agents look for it). */
    public RelayConfig withPort(int fixedPort) {
        return new RelayConfig(host, fixedPort, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                externalIssuer, tokenLifetime, pingInterval, secureCookies, tls, allowPlainHttp, hardening, sessions, cluster);
    }

    public RelayConfig withTokenLifetime(Duration lifetime) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                externalIssuer, lifetime, pingInterval, secureCookies, tls, allowPlainHttp, hardening, sessions, cluster);
    }

    public RelayConfig withHardening(Hardening settings) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                externalIssuer, tokenLifetime, pingInterval, secureCookies, tls, allowPlainHttp, settings, sessions, cluster);
    }

    public RelayConfig withTls(TlsFiles files) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                externalIssuer, tokenLifetime, pingInterval, secureCookies, files, allowPlainHttp, hardening, sessions, cluster);
    }

    public RelayConfig withExternalIssuer(ExternalIssuer issuer) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                issuer, tokenLifetime, pingInterval, secureCookies, tls, allowPlainHttp, hardening, sessions, cluster);
    }

    public RelayConfig withListen(String newHost, boolean plainHttpAllowed) {
        return new RelayConfig(newHost, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                externalIssuer, tokenLifetime, pingInterval, secureCookies, tls, plainHttpAllowed, hardening, sessions, cluster);
    }
}
