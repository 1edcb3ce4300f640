package devicetunnel.relay.policy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import io.javalin.http.Context;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses cross-site browser requests: a request carrying an {@code Origin} header must come from
 * the relay's own origin (the scheme browsers reach it by, and the host and port of {@code Host})
 * or from one listed in {@code --allowed-origins}. The scheme matters: for an HTTPS relay a page
 * served over plain {@code http://} on the same name (injectable by anyone on the network) is
 * another origin. Clients that send no Origin (the CLI, agents, scripts) are not browsers
 * acting for someone else, so they pass; they authenticate with explicit tokens anyway.
 */
public final class OriginPolicy {
    private final Set<String> allowed;
    private final String scheme;

    /** {@code scheme}: "https" when browsers reach the relay over TLS (its own or a proxy's), else "http". */
    public OriginPolicy(List<String> allowedOrigins, String scheme) {
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
        this.scheme = scheme;
    }

    public void check(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || allowed.contains(normalize(origin)) || sameOrigin(origin, scheme, ctx.header("Host"))) {
            return;
        }
        throw new TunnelException(ErrorCode.FORBIDDEN, "Requests from this origin are not allowed.");
    }

    private static boolean sameOrigin(String origin, String scheme, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = URI.create(origin.strip());
            String authority = uri.getRawAuthority();
            return scheme.equalsIgnoreCase(uri.getScheme()) && authority != null && authority.equalsIgnoreCase(host.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String normalize(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
