package devicetunnel.relay.webapp;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.ssh.DeviceSshConnector;
import devicetunnel.relay.store.Device;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything on the web-apps listener: the host name says which app; {@value #LAUNCH_PATH} turns
 * the console's one-time ticket into the app's cookie; every other request, with that cookie and
 * after {@link WebAppGate}, goes to the device's loopback port over a direct-tcpip channel of the
 * app's SSH connection, and the answer streams back (a 101 becomes a {@link WebSocketTunnel}).
 */
final class WebAppProxyServlet extends HttpServlet {
    static final String LAUNCH_PATH = "/.devtunnel/launch";
    private static final Logger log = LoggerFactory.getLogger(WebAppProxyServlet.class);
    private static final SshdSocketAddress RELAY_SIDE = new SshdSocketAddress("127.0.0.1", 0);
    /** Hop-by-hop headers of the app's answer (RFC 9110 7.6.1); the servlet frames the answer itself. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authenticate");
    /** Redirects to the app's own loopback address become relative, so they stay on the app's origin. */
    private static final Pattern LOOPBACK_URL = Pattern.compile("(?i)https?://(?:127\\.0\\.0\\.1|localhost|\\[::1\\])(?::\\d+)?(/.*)?");

    private final WebAppGrants grants;
    private final WebAppGate gate;
    private final WebAppUrls urls;
    private final DeviceSshConnector connector;
    private final Duration openTimeout;
    private final Executor executor;

    WebAppProxyServlet(WebAppGrants grants, WebAppGate gate, WebAppUrls urls, DeviceSshConnector connector,
                       Duration openTimeout, Executor executor) {
        this.grants = grants;
        this.gate = gate;
        this.urls = urls;
        this.connector = connector;
        this.openTimeout = openTimeout;
        this.executor = executor;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String id = urls.idOf(req.getServerName());
        Optional<WebAppGrant> found = id == null ? Optional.empty() : grants.find(id);
        if (found.isEmpty()) {
            refuse(req, resp, ErrorCode.NOT_FOUND,
                    "This web app is not open (it expired, or the relay restarted): open it again from the console.");
            return;
        }
        WebAppGrant grant = found.get();
        if (LAUNCH_PATH.equals(req.getRequestURI())) {
            launch(req, resp, grant);
            return;
        }
        if (!grant.cookieMatches(AppCookies.relayCookie(Collections.list(req.getHeaders("Cookie"))))) {
            refuse(req, resp, ErrorCode.UNAUTHORIZED, "Open this web app from the console (its launch link works once).");
            return;
        }
        try {
            Device device = gate.check(grant);
            forward(req, resp, grant, device);
        } catch (TunnelException e) {
            log.info("web app {} on device {} refused for {}: {}", grant.id(), grant.deviceId(), grant.operator(),
                    e.getMessage());
            refuse(req, resp, e.code(), e.getMessage());
        }
    }

    private void launch(HttpServletRequest req, HttpServletResponse resp, WebAppGrant grant) throws IOException {
        String cookie = grant.redeem(req.getParameter("ticket"), grants.now());
        if (cookie == null) {
            refuse(req, resp, ErrorCode.UNAUTHORIZED, "This launch link was used already or has expired: open the app again from the console.");
            return;
        }
        long maxAge = Math.max(1, Duration.between(grants.now(), grant.expiresAt()).toSeconds());
        resp.addHeader("Set-Cookie", AppCookies.relayCookieHeader(cookie, urls.secure(), maxAge));
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Referrer-Policy", "no-referrer"); // the ticket is in this URL
        resp.setStatus(303);
        resp.setHeader("Location", grant.path());
    }

    private void forward(HttpServletRequest req, HttpServletResponse resp, WebAppGrant grant, Device device)
            throws IOException {
        DeviceSshConnector.DeviceConnection connection = grant.connection(
                () -> connector.connect(grant.operator(), device, openTimeout));
        ChannelDirectTcpip channel = connection.session().createDirectTcpipChannel(RELAY_SIDE,
                new SshdSocketAddress("127.0.0.1", grant.port()));
        try {
            channel.open().verify(openTimeout.toMillis());
        } catch (IOException e) {
            channel.close(true);
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "The device refused a connection to its port "
                    + grant.port() + ": nothing listens there, or its agent runs with --no-web-apps.");
        }
        boolean upgraded = false;
        try {
            UpstreamRequest.write(req, urls.secure() ? "https" : "http", channel.getInvertedIn());
            UpstreamResponse answer = new UpstreamResponse(channel.getInvertedOut(), "HEAD".equals(req.getMethod()));
            if (!answer.readHead()) {
                throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE,
                        "The app on port " + grant.port() + " closed the connection without an HTTP answer.");
            }
            resp.setStatus(answer.status());
            copyHeaders(answer, resp);
            if (answer.status() == 101 && UpstreamRequest.isWebSocketUpgrade(req)) {
                resp.setHeader("Upgrade", "websocket");
                resp.setHeader("Connection", "Upgrade");
                org.eclipse.jetty.server.Request core = ServletContextRequest.getServletContextRequest(req);
                EndPoint endPoint = core.getConnectionMetaData().getConnection().getEndPoint();
                // Jetty swaps the connection in once the 101 has been written (HttpStream's upgrade attribute).
                core.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE,
                        new WebSocketTunnel(endPoint, core.getComponents().getExecutor(), channel, answer.leftover(), executor));
                upgraded = true;
                return;
            }
            answer.streamBody(resp.getOutputStream());
        } finally {
            if (!upgraded) {
                channel.close(true);
            }
        }
    }

    private static void copyHeaders(UpstreamResponse answer, HttpServletResponse resp) {
        for (HttpField field : answer.headers()) {
            String name = field.getName();
            String lower = name.toLowerCase(Locale.ROOT);
            String value = field.getValue();
            if (HOP_BY_HOP.contains(lower)) {
                continue;
            }
            if (lower.equals("set-cookie")) {
                value = AppCookies.fromApp(value);
            } else if (lower.equals("location")) {
                Matcher loopback = LOOPBACK_URL.matcher(value);
                if (loopback.matches()) {
                    value = loopback.group(1) == null ? "/" : loopback.group(1);
                }
            }
            if (value != null) {
                resp.addHeader(name, value);
            }
        }
    }

    /** The relay's own refusal: JSON like the API, a small page for a browser asking for HTML. */
    private static void refuse(HttpServletRequest req, HttpServletResponse resp, ErrorCode code, String message)
            throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        resp.reset();
        resp.setStatus(code.httpStatus());
        resp.setHeader("Cache-Control", "no-store");
        if (code == ErrorCode.UNAUTHORIZED) {
            resp.setHeader("WWW-Authenticate", "devtunnel-app"); // the app's cookie, from the console's launch link
        }
        String accept = req.getHeader("Accept");
        byte[] body;
        if (accept != null && accept.contains("text/html")) {
            resp.setContentType("text/html; charset=utf-8");
            body = ("<!doctype html><title>" + code.httpStatus() + "</title><h1>" + code.httpStatus() + " " + code.code()
                    + "</h1><p>" + escape(message) + "</p>").getBytes(StandardCharsets.UTF_8);
        } else {
            Map<String, String> json = new LinkedHashMap<>();
            json.put("error", code.code());
            json.put("message", message);
            resp.setContentType("application/json");
            body = Json.write(json).getBytes(StandardCharsets.UTF_8);
        }
        resp.getOutputStream().write(body);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
