package devicetunnel.relay.webapp;

import devicetunnel.protocol.DaemonThreads;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.ssh.DeviceSshConnector;
import devicetunnel.relay.store.DeviceFeatureStore;
import devicetunnel.relay.store.UserStore;
import devicetunnel.relay.tls.Listener;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code --web-apps-listen}: device web apps on a listener of their own, apart from the console and
 * the API, so no route of the console is ever served on an app's origin (see docs/SECURITY.md).
 *
 * <p>Threads: owns a Jetty pool {@code relay-webapps-N} (one thread per request in flight) and
 * {@code relay-webapp-ws-N} (two per websocket inside an app).
 */
public final class WebAppServer implements AutoCloseable {
    /** Idle connections (and websockets inside apps with no traffic) close after this. */
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);

    private final RelayConfig.WebApps settings;
    private final Server server;
    private final ServerConnector connector;
    private final ExecutorService websockets = Executors.newCachedThreadPool(DaemonThreads.named("relay-webapp-ws"));
    private final WebAppGrants grants;
    private final boolean tls;
    private final ServletContextHandler context = new ServletContextHandler("/");
    private WebAppUrls urls;

    public WebAppServer(RelayConfig config, WebAppGrants grants) throws IOException {
        this.settings = config.webApps();
        this.grants = grants;
        Listener listener = new Listener(settings.listenHost(), settings.listenPort(), config.tls(), config.allowPlainHttp(),
                IDLE_TIMEOUT);
        this.tls = listener.secure();
        QueuedThreadPool pool = new QueuedThreadPool(200, 2);
        pool.setName("relay-webapps");
        pool.setDaemon(true);
        this.server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        this.connector = (ServerConnector) listener.create(server, http);
        server.addConnector(connector);
        server.setHandler(context);
        server.setStopAtShutdown(false);
    }

    /** Binds the listener and serves the proxy; with no {@code --web-apps-url}, apps are {@code *.localhost:<port>}. */
    public WebAppServer start(UserStore users, DeviceAccess access, DeviceFeatureStore features,
                              DeviceSshConnector sshConnector, Duration openTimeout) throws Exception {
        connector.open();
        String template = settings.urlTemplate() != null ? settings.urlTemplate()
                : (tls ? "https" : "http") + "://*.localhost:" + connector.getLocalPort();
        this.urls = WebAppUrls.parse(template);
        WebAppGate gate = new WebAppGate(users, access, features, grants);
        context.addServlet(new ServletHolder(new WebAppProxyServlet(grants, gate, urls, sshConnector, openTimeout,
                websockets)), "/*");
        server.start();
        return this;
    }

    /** Where browsers reach the apps (known once started). */
    public WebAppUrls urls() {
        return urls;
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        grants.close();
        try {
            server.stop();
        } catch (Exception e) {
            // closing anyway
        }
        websockets.shutdownNow();
    }
}
