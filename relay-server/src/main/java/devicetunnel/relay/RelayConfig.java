package devicetunnel.relay;

import devicetunnel.relay.ssh.TerminalSessions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything a relay needs to start. Built by the CLI from flags and environment, or by tests.
 *
 * @param databaseUrl JDBC URL; null means the embedded H2 database in {@code stateDir}
 * @param jwtSecret   HS256 key for operator tokens; null means one generated into {@code stateDir}
 */
public record RelayConfig(
        String host,
        int port,
        Path stateDir,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        byte[] jwtSecret,
        Duration tokenLifetime,
        Duration pingInterval,
        boolean secureCookies,
        TerminalSessions.Settings sessions) {

    public static RelayConfig forTests(Path stateDir) {
        return new RelayConfig("127.0.0.1", 0, stateDir, null, null, null, null, Duration.ofHours(1),
                Duration.ofSeconds(2), false, TerminalSessions.Settings.defaults());
    }

    public RelayConfig withPingInterval(Duration interval) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                tokenLifetime, interval, secureCookies, sessions);
    }

    public RelayConfig withSessions(TerminalSessions.Settings settings) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                tokenLifetime, pingInterval, secureCookies, settings);
    }

    /** Same config on a fixed port (a restarted relay comes back where its agents look for it). */
    public RelayConfig withPort(int fixedPort) {
        return new RelayConfig(host, fixedPort, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                tokenLifetime, pingInterval, secureCookies, sessions);
    }

    public RelayConfig withTokenLifetime(Duration lifetime) {
        return new RelayConfig(host, port, stateDir, databaseUrl, databaseUser, databasePassword, jwtSecret,
                lifetime, pingInterval, secureCookies, sessions);
    }
}
