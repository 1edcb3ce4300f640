package devicetunnel.relay.http;

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
 * the relay's own origin (same host and port as {@code Host}) or from one listed in
 * {@code --allowed-origins}. Clients that send no Origin (the CLI, agents, scripts) are not browsers
 * acting for someone else, so they pass; they authenticate with explicit tokens anyway.
 */
public final class OriginPolicy {
    private final Set<String> allowed;

    public OriginPolicy(List<String> allowedOrigins) {
        this.allowed = allowedOrigins.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    public void check(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || allowed.contains(normalize(origin)) || sameOrigin(origin, ctx.header("Host"))) {
            return;
        }
        throw new TunnelException(ErrorCode.FORBIDDEN, "Requests from this origin are not allowed.");
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            String authority = URI.create(origin.strip()).getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String normalize(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
