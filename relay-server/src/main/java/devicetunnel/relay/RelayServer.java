package devicetunnel.relay;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.PasswordHasher;
import devicetunnel.relay.auth.SecretTokens;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.http.AuthRoutes;
import devicetunnel.relay.http.DeviceAccess;
import devicetunnel.relay.http.DeviceRoutes;
import devicetunnel.relay.http.ErrorResponses;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.relay.link.DeviceRegistry;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.ssh.RelaySshClient;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Database;
import devicetunnel.relay.store.DeviceStore;
import devicetunnel.relay.store.UserStore;
import devicetunnel.relay.ws.AgentConnectEndpoint;
import devicetunnel.relay.ws.AgentStreamEndpoint;
import devicetunnel.relay.ws.TerminalEndpoint;
import devicetunnel.relay.ws.WsKeepalive;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The relay: assembles store, auth, device links and SSH client behind one Javalin server. */
public final class RelayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);
    /** SSH channel window of the relay's client: bounds what a session buffers before the device waits. */
    public static final long SSH_WINDOW_BYTES = 1024 * 1024;
    public static final String SHUTDOWN_MESSAGE = "relay shutting down";
    private static final int GOING_AWAY = 1001;

    private final RelayConfig config;
    private final Database database;
    private final UserStore users;
    private final DeviceStore devices;
    private final AuditLog audit;
    private final PasswordHasher hasher = new PasswordHasher();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService opener;
    private final RelaySshClient sshClient;
    private final DeviceRegistry registry;
    private final TerminalSessions sessions;
    private final WsKeepalive keepalive;
    private final Javalin app;
    private volatile boolean ready;
    private volatile boolean draining;

    public RelayServer(RelayConfig config) throws IOException {
        this.config = config;
        String url = config.databaseUrl() != null ? config.databaseUrl() : Database.embeddedUrl(config.stateDir());
        this.database = Database.open(url, config.databaseUser(), config.databasePassword());
        this.users = new UserStore(database.dataSource());
        this.devices = new DeviceStore(database.dataSource());
        this.audit = new AuditLog(database.dataSource());
        this.scheduler = Executors.newScheduledThreadPool(2, daemon("relay-timer"));
        this.opener = Executors.newCachedThreadPool(daemon("relay-open"));
        KeyPair relayKey = KeyFiles.loadOrCreate(config.stateDir().resolve("relay_ed25519"));
        this.sshClient = new RelaySshClient(relayKey, SSH_WINDOW_BYTES, config.pingInterval());
        this.registry = new DeviceRegistry(devices, config.pingInterval(), scheduler);
        StreamBroker broker = new StreamBroker(registry, scheduler);
        this.sessions = new TerminalSessions(sshClient, broker, scheduler, config.sessions(), this::sessionClosed);
        this.keepalive = new WsKeepalive(config.pingInterval(), scheduler);
        TokenService tokens = new TokenService(jwtSecret(config), config.tokenLifetime(), Clock.systemUTC());
        OperatorAuth auth = new OperatorAuth(tokens, users);
        DeviceAccess access = new DeviceAccess(devices, users);

        AuthRoutes authRoutes = new AuthRoutes(users, hasher, tokens, audit, config.secureCookies());
        DeviceRoutes deviceRoutes = new DeviceRoutes(devices, registry, access);
        AgentConnectEndpoint agentConnect = new AgentConnectEndpoint(devices, registry, broker, audit,
                () -> List.of(sshClient.publicKeyLine()));
        AgentStreamEndpoint agentStreams = new AgentStreamEndpoint(broker, keepalive);
        TerminalEndpoint terminal = new TerminalEndpoint(auth, access, sessions, audit, opener, keepalive);
        long idleMillis = 2 * config.pingInterval().toMillis() + 10_000;

        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jsonMapper(new Json());
            cfg.staticFiles.add("/public", Location.CLASSPATH);
            cfg.jetty.modifyWebSocketServletFactory(ws -> {
                ws.setIdleTimeout(Duration.ofMillis(idleMillis));
                ws.setMaxBinaryMessageSize(Protocol.MAX_FRAME_BYTES);
                ws.setMaxTextMessageSize(64 * 1024);
            });
            ErrorResponses.install(cfg.routes);
            cfg.routes.before("/api/*", ctx -> {
                if (!ctx.path().equals("/api/v1/auth/login") && !ctx.path().equals("/api/v1/auth/logout")) {
                    auth.authenticate(ctx);
                }
            });
            // While draining, agents are turned away too: they would only be shown online on a relay
            // that refuses sessions. They retry with backoff and find the next relay.
            cfg.routes.wsBeforeUpgrade(Protocol.CONNECT_PATH, ctx -> refuseWhileDraining());
            cfg.routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
            cfg.routes.get("/readyz", ctx -> {
                ctx.status(ready ? 200 : 503);
                ctx.json(Map.of("status", ready ? "ready" : "not ready", "devicesOnline", registry.onlineCount()));
            });
            authRoutes.install(cfg.routes);
            deviceRoutes.install(cfg.routes);
            agentConnect.install(cfg.routes);
            agentStreams.install(cfg.routes);
            terminal.install(cfg.routes);
        });
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
        app.start(config.host(), config.port());
        ready = true;
        log.info("relay listening on {}", baseUrl());
        return this;
    }

    public int port() {
        return app.port();
    }

    public String baseUrl() {
        return "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + port();
    }

    public UserStore users() { return users; }
    public DeviceStore devices() { return devices; }
    public AuditLog audit() { return audit; }
    public PasswordHasher passwordHasher() { return hasher; }
    public DeviceRegistry registry() { return registry; }
    public TerminalSessions sessions() { return sessions; }

    private void refuseWhileDraining() {
        if (draining) {
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "The relay is shutting down.");
        }
    }

    /**
     * Graceful shutdown: refuse new sessions (and /readyz turns 503), tell every agent to reconnect
     * after {@code agentReconnectAfter} (plus jitter), let sessions finish for up to {@code timeout},
     * then end the rest with a clear message and close code 1001. Call {@link #close()} afterwards.
     *
     * @return true when every session ended by itself
     */
    public boolean drain(Duration timeout, Duration agentReconnectAfter) throws InterruptedException {
        ready = false;
        draining = true;
        sessions.stopAccepting();
        int open = sessions.all().size();
        log.info("draining: {} session(s) open, waiting up to {} s; agents reconnect in {} ms",
                open, timeout.toSeconds(), agentReconnectAfter.toMillis());
        registry.drainAll(agentReconnectAfter, SHUTDOWN_MESSAGE);
        boolean clean = sessions.awaitAllClosed(timeout);
        if (!clean) {
            log.info("drain timeout reached; closing {} session(s)", sessions.all().size());
            sessions.terminateAll(ErrorCode.SERVICE_UNAVAILABLE, SHUTDOWN_MESSAGE, GOING_AWAY);
        }
        return clean;
    }

    private void sessionClosed(TerminalSession s) {
        audit.record("session.close", s.operator(), s.deviceId(), s.id(), null,
                "bytesOut=" + s.bytesOut() + " bytesIn=" + s.bytesIn()
                        + " seconds=" + Duration.between(s.startedAt(), Instant.now()).toSeconds());
    }

    @Override
    public void close() {
        ready = false;
        draining = true;
        sessions.terminateAll(ErrorCode.SERVICE_UNAVAILABLE, SHUTDOWN_MESSAGE, GOING_AWAY);
        sessions.close();
        app.stop();
        keepalive.close();
        registry.close();
        try {
            sshClient.close();
        } catch (IOException e) {
            log.warn("closing the SSH client: {}", e.toString());
        }
        scheduler.shutdownNow();
        opener.shutdownNow();
        database.close();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
