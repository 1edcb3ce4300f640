package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks the {@code Host} header against the names the relay is reached by ({@code --allowed-hosts}).
 * Without it a DNS-rebinding page (evil.example resolving to 127.0.0.1) talks to a relay on the
 * operator's machine as its own origin. Defaults: a relay listening on loopback answers only to
 * loopback names (localhost, 127.0.0.1, ::1: the demo keeps working); one listening elsewhere
 * cannot guess its public names and accepts any Host until they are configured (warned at start).
 * Entries are host names without a port; {@code *} accepts any.
 */
public final class HostPolicy {
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "::1");

    private final Set<String> allowed; // empty: any

    private HostPolicy(Set<String> allowed) {
        this.allowed = allowed;
    }

    public static HostPolicy of(List<String> configured, boolean loopbackListener) {
        Set<String> names = configured.stream().map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        if (names.contains("*")) {
            return new HostPolicy(Set.of());
        }
        if (names.isEmpty()) {
            return new HostPolicy(loopbackListener ? LOOPBACK_NAMES : Set.of());
        }
        return new HostPolicy(names);
    }

    public boolean acceptsAny() {
        return allowed.isEmpty();
    }

    public void check(Context ctx) {
        if (allowed.isEmpty()) {
            return;
        }
        String name = hostName(ctx.header("Host"));
        if (name == null || !allowed.contains(name)) {
            // 421 would be the precise status; the one status table has 400 for a request we will not serve.
            throw new TunnelException(ErrorCode.BAD_REQUEST, "Unknown host name.");
        }
    }

    /** The name part of a Host header, lower case, brackets of an IPv6 literal removed; null when malformed. */
    static String hostName(String host) {
        if (host == null || host.isBlank() || host.length() > 255) {
            return null;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? null : h.substring(1, end);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}
