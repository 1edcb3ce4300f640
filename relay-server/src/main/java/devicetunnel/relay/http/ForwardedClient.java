package devicetunnel.relay.http;

import devicetunnel.relay.auth.KeyedHash;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.LongSupplier;

/**
 * The header one relay of a cluster adds when it passes a client's request to the sibling that
 * holds what it asks about: which relay passed it, and the client's address, so the sibling audits
 * the operator's address rather than the relay's. Signed with a key every relay of the cluster
 * derives from the token secret they share, and bound to the method, the path and a
 * {@value #VALID_MILLIS} ms window: a client writing the header itself gains nothing, and a
 * sibling's request is recognised (it is never passed on again).
 */
public final class ForwardedClient {
    public static final String HEADER = "X-Devtunnel-Forwarded";
    private static final long VALID_MILLIS = 30_000;

    private final KeyedHash key;
    private final String relayId;
    private final LongSupplier clock;

    /** {@code tokenSecret}: the relays' shared token secret; {@code relayId}: this relay's id. */
    public ForwardedClient(byte[] tokenSecret, String relayId, LongSupplier clock) {
        this.key = KeyedHash.derived(tokenSecret, "devtunnel relay forwarding v1");
        this.relayId = relayId;
        this.clock = clock;
    }

    /** The header's value for passing a {@code method} request for {@code path} from {@code clientIp}. */
    public String sign(String clientIp, String method, String path) {
        long now = clock.getAsLong();
        return relayId + ";" + clientIp + ";" + now + ";" + mac(relayId, clientIp, now, method, path);
    }

    /** The client address a sibling vouches for on this request, or null when it carries no valid header. */
    public String verifiedClient(Context ctx) {
        return verifiedClient(ctx.header(HEADER), ctx.method().name(), ctx.req().getRequestURI());
    }

    /** The address a {@link #HEADER} value vouches for on a {@code method} request for {@code path}, or null. */
    String verifiedClient(String value, String method, String path) {
        if (value == null) {
            return null;
        }
        String[] parts = value.split(";", -1);
        if (parts.length != 4 || ClientAddress.literal(parts[1]) == null) {
            return null;
        }
        long at;
        try {
            at = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return null;
        }
        if (Math.abs(clock.getAsLong() - at) > VALID_MILLIS) {
            return null;
        }
        String expected = mac(parts[0], parts[1], at, method, path);
        boolean valid = MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                parts[3].getBytes(StandardCharsets.UTF_8));
        return valid ? parts[1] : null;
    }

    private String mac(String relay, String clientIp, long at, String method, String path) {
        return key.hex(String.join("\n", relay, clientIp, Long.toString(at), method, path));
    }
}
