package devicetunnel.agent.link;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/** The relay's base URL, turned into websocket URLs; refuses plain HTTP off loopback unless allowed. */
public record RelayEndpoint(URI base) {

    public static RelayEndpoint parse(String url, boolean allowPlainHttp) {
        URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        String scheme = uri.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new IllegalArgumentException("relay URL must start with https:// (or http:// on loopback): " + url);
        }
        if ("http".equals(scheme) && !allowPlainHttp && !isLoopback(uri.getHost())) {
            throw new IllegalArgumentException("refusing plain http to " + uri.getHost()
                    + ": use https, or pass --allow-plain-http if a TLS proxy sits in between");
        }
        return new RelayEndpoint(uri);
    }

    public URI websocket(String path) {
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getRawAuthority() + nullToEmpty(base.getRawPath()) + path);
    }

    /** An HTTP(S) URL under the relay's base. */
    public URI http(String path) {
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + nullToEmpty(base.getRawPath()) + path);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static boolean isLoopback(String host) {
        try {
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
