package devicetunnel.relay.webapp;

import devicetunnel.protocol.Protocol;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;

/**
 * Writes the browser's request to the device's app as HTTP/1.1 over one direct-tcpip channel: the
 * head with hop-by-hop headers and the relay's cookie removed, then the body as it arrives (never
 * held whole). One request per channel ({@code Connection: close}), except a websocket upgrade,
 * which keeps the channel for the websocket.
 */
final class UpstreamRequest {
    /** Headers about one connection, not the request (RFC 9110 7.6.1), plus ones the relay sets itself. */
    private static final Set<String> DROPPED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "expect", "content-length", "cookie", "forwarded", "x-forwarded-for",
            "x-forwarded-host", "x-forwarded-proto", "proxy-authorization");

    private UpstreamRequest() {}

    static boolean isWebSocketUpgrade(HttpServletRequest req) {
        String upgrade = req.getHeader("Upgrade");
        return "GET".equals(req.getMethod()) && upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    static void write(HttpServletRequest req, String scheme, OutputStream out) throws IOException {
        boolean upgrade = isWebSocketUpgrade(req);
        StringBuilder head = new StringBuilder(512);
        String query = req.getQueryString();
        head.append(req.getMethod()).append(' ').append(req.getRequestURI())
                .append(query == null ? "" : "?" + query).append(" HTTP/1.1\r\n");
        for (String name : Collections.list(req.getHeaderNames())) {
            if (DROPPED.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String value : Collections.list(req.getHeaders(name))) {
                head.append(name).append(": ").append(value).append("\r\n");
            }
        }
        String cookies = AppCookies.forApp(Collections.list(req.getHeaders("Cookie")));
        if (cookies != null) {
            head.append("Cookie: ").append(cookies).append("\r\n");
        }
        head.append("X-Forwarded-Proto: ").append(scheme).append("\r\n");
        head.append("X-Forwarded-Host: ").append(req.getHeader("Host")).append("\r\n");
        long length = req.getContentLengthLong();
        boolean chunked = length < 0 && req.getHeader("Transfer-Encoding") != null;
        if (upgrade) {
            head.append("Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        } else {
            head.append("Connection: close\r\n");
            if (length >= 0) {
                head.append("Content-Length: ").append(length).append("\r\n");
            } else if (chunked) {
                head.append("Transfer-Encoding: chunked\r\n");
            }
            head.append("\r\n");
        }
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!upgrade && (length > 0 || chunked)) {
            copyBody(req.getInputStream(), out, chunked);
        }
        out.flush();
    }

    /** The body as it arrives; a body of unknown length is sent chunked (the servlet already decoded the browser's chunks). */
    private static void copyBody(InputStream in, OutputStream out, boolean chunked) throws IOException {
        byte[] buffer = new byte[Protocol.COPY_BUFFER_BYTES];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (n == 0) {
                continue;
            }
            if (chunked) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write(buffer, 0, n);
            if (chunked) {
                out.write(CRLF);
            }
        }
        if (chunked) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
}
