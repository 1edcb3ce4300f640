package devicetunnel.relay.cli;

import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.RelayServer;
import devicetunnel.relay.ssh.TerminalSessions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the relay: web UI, API, and the endpoints devices connect to.")
final class ServeCommand implements Callable<Integer> {
    /** Agents told to go away wait this long (plus up to as much jitter) before dialling the next relay. */
    private static final Duration AGENT_RECONNECT_AFTER = Duration.ofSeconds(2);

    @Mixin
    StoreOptions store;

    @Option(names = "--listen", defaultValue = "${env:DT_LISTEN:-127.0.0.1:8080}",
            description = "host:port to listen on (env DT_LISTEN). Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--jwt-secret-file", defaultValue = "${env:DT_JWT_SECRET_FILE}",
            description = "File with the HS256 secret for operator tokens, >= 32 bytes (env DT_JWT_SECRET_FILE). "
                    + "Default: generated into the state dir on first start.")
    Path jwtSecretFile;

    @Option(names = "--token-lifetime", defaultValue = "${env:DT_TOKEN_LIFETIME:-8h}", converter = DurationConverter.class,
            description = "How long an operator login lasts. Default: ${DEFAULT-VALUE}.")
    Duration tokenLifetime;

    @Option(names = "--ping-interval", defaultValue = "${env:DT_PING_INTERVAL:-25s}", converter = DurationConverter.class,
            description = "Keepalive ping interval on every websocket; a device silent for two intervals is offline. Default: ${DEFAULT-VALUE}.")
    Duration pingInterval;

    @Option(names = "--session-grace", defaultValue = "${env:DT_SESSION_GRACE:-60s}", converter = DurationConverter.class,
            description = "How long a terminal session waits for its browser to reconnect. Default: ${DEFAULT-VALUE}.")
    Duration sessionGrace;

    @Option(names = "--idle-timeout", defaultValue = "${env:DT_IDLE_TIMEOUT:-1h}", converter = DurationConverter.class,
            description = "End a terminal session with no input and no output for this long; 0s: never. Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--max-session-duration", defaultValue = "${env:DT_MAX_SESSION_DURATION:-0s}", converter = DurationConverter.class,
            description = "End a terminal session this long after it opened; 0s: no limit. Default: ${DEFAULT-VALUE}.")
    Duration maxSessionDuration;

    @Option(names = "--max-sessions-per-device", defaultValue = "${env:DT_MAX_SESSIONS_PER_DEVICE:-16}",
            description = "Terminal sessions a device may have open at once. Default: ${DEFAULT-VALUE}.")
    int maxSessionsPerDevice;

    @Option(names = "--drain-timeout", defaultValue = "${env:DT_DRAIN_TIMEOUT:-30s}", converter = DurationConverter.class,
            description = "On SIGTERM: refuse new sessions, ask agents to reconnect, let open sessions run this long, "
                    + "then close them. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--secure-cookies", defaultValue = "${env:DT_SECURE_COOKIES:-false}",
            description = "Mark the session cookie Secure (set when users reach the relay over HTTPS, e.g. behind a TLS proxy).")
    boolean secureCookies;

    @Override
    public Integer call() throws Exception {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--listen must be host:port, e.g. 127.0.0.1:8080");
        }
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(listen.substring(colon + 1));
        byte[] secret = jwtSecretFile == null ? null : Files.readString(jwtSecretFile, StandardCharsets.UTF_8).strip()
                .getBytes(StandardCharsets.UTF_8);
        if (maxSessionsPerDevice < 1) {
            throw new IllegalArgumentException("--max-sessions-per-device must be at least 1");
        }
        TerminalSessions.Settings sessions = TerminalSessions.Settings.defaults().withResumeGrace(sessionGrace)
                .withLimits(idleTimeout, maxSessionDuration, maxSessionsPerDevice);
        RelayConfig config = new RelayConfig(host, port, store.stateDir, store.databaseUrl, store.databaseUser,
                store.databasePassword(), secret, tokenLifetime, pingInterval, secureCookies, sessions);
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
}
