package devicetunnel.relay.webapp;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where browsers reach web apps: a URL template with {@code *} as the first label of the host, e.g.
 * {@code https://*.apps.example.net} or {@code http://*.localhost:8081}. Each app's id takes the
 * {@code *}, so each app is an origin of its own.
 */
public final class WebAppUrls {
    private static final Pattern ID = Pattern.compile("[a-z2-7]{26}");
    private final String scheme;
    private final String hostSuffix;
    private final String portPart;

    private WebAppUrls(String scheme, String hostSuffix, String portPart) {
        this.scheme = scheme;
        this.hostSuffix = hostSuffix;
        this.portPart = portPart;
    }

    /** Refuses, in words for the operator, a template that is not {@code http(s)://*.domain[:port]}. */
    public static WebAppUrls parse(String template) {
        String problem = "--web-apps-url must look like https://*.apps.example.net (or http://*.localhost:8081), not "
                + template;
        URI uri;
        try {
            uri = URI.create(template.replace("*.", "x."));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(problem);
        }
        String host = uri.getHost();
        if (!template.contains("://*.") || host == null || !host.startsWith("x.") || host.length() < 3
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(problem);
        }
        return new WebAppUrls(uri.getScheme(), host.substring(1).toLowerCase(Locale.ROOT),
                uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    /** The app's origin, e.g. {@code https://<id>.apps.example.net}. */
    public String origin(String id) {
        return scheme + "://" + id + hostSuffix + portPart;
    }

    public boolean secure() {
        return "https".equals(scheme);
    }

    /** The app id a request's host name names, or null when it names none. */
    String idOf(String host) {
        if (host == null) {
            return null;
        }
        String lower = host.toLowerCase(Locale.ROOT);
        if (!lower.endsWith(hostSuffix)) {
            return null;
        }
        String id = lower.substring(0, lower.length() - hostSuffix.length());
        return ID.matcher(id).matches() ? id : null;
    }
}
