package devicetunnel.relay.auth;

import com.webauthn4j.data.client.Origin;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who the relay is to authenticators: the RP ID passkeys are bound to (by default the host name
 * browsers use, {@code --webauthn-rp-id} for a fixed one such as the parent domain of several
 * relays) and the page origins whose ceremonies it accepts: its own (scheme browsers use, the
 * request's {@code Host}) plus {@code --allowed-origins}. The browser puts the origin in what the
 * key signs, so a look-alike site cannot relay a ceremony.
 */
public final class RelyingParty {
    public static final String NAME = "device-tunnel";

    private final String fixedRpId;
    private final String scheme;
    private final List<String> extraOrigins;

    /** {@code rpId}: null to use the request's host; {@code scheme}: how browsers reach the relay. */
    public RelyingParty(String rpId, String scheme, List<String> extraOrigins) {
        this.fixedRpId = rpId == null || rpId.isBlank() ? null : rpId.strip().toLowerCase(Locale.ROOT);
        this.scheme = scheme;
        this.extraOrigins = List.copyOf(extraOrigins);
    }

    /** The RP ID and origins for a request with this {@code Host} header. */
    public Request forHost(String host) {
        String authority = host == null ? "" : host.strip().toLowerCase(Locale.ROOT);
        Set<Origin> origins = new LinkedHashSet<>();
        if (!authority.isEmpty()) {
            origins.add(Origin.create(scheme + "://" + authority));
        }
        extraOrigins.forEach(o -> origins.add(Origin.create(o.strip())));
        return new Request(fixedRpId != null ? fixedRpId : hostName(authority), origins);
    }

    public record Request(String rpId, Set<Origin> origins) {}

    /** "relay.example.com:8443" -> "relay.example.com"; "[::1]:80" -> "::1" (no passkeys on IP literals anyway). */
    static String hostName(String authority) {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end < 0 ? authority : authority.substring(1, end);
        }
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }
}
