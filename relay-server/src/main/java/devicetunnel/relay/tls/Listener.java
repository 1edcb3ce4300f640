package devicetunnel.relay.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The relay's one listening socket: HTTPS/WSS when TLS files are given, otherwise plain HTTP, which
 * is only allowed on a loopback address unless explicitly permitted (a TLS proxy in front). Its idle
 * timeout also bounds how long a connection may sit without sending a request (websockets get their
 * own idle timeout once upgraded).
 */
public final class Listener {
    private final String host;
    private final int port;
    private final TlsFiles.Loaded tls;
    private final Duration idleTimeout;

    public Listener(String host, int port, TlsFiles tlsFiles, boolean allowPlainHttp, Duration idleTimeout) throws IOException {
        if (tlsFiles == null && !allowPlainHttp && !isLoopback(host)) {
            throw new IllegalArgumentException("refusing plain HTTP on " + host
                    + ": give --tls-cert-file/--tls-key-file (or --tls-pkcs12-file), or --allow-plain-http behind a TLS proxy");
        }
        this.host = host;
        this.port = port;
        this.tls = tlsFiles == null ? null : tlsFiles.load();
        this.idleTimeout = idleTimeout;
    }

    public boolean secure() {
        return tls != null;
    }

    public Connector create(Server server, HttpConfiguration http) {
        ServerConnector connector;
        if (tls == null) {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(tls.keyStore());
            ssl.setKeyStorePassword(new String(tls.password()));
            HttpConfiguration https = new HttpConfiguration(http);
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // agents may dial the relay by IP address
            https.addCustomizer(secure);
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeout.toMillis());
        return connector;
    }

    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    }
}
