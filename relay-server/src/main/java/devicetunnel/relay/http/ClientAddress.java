package devicetunnel.relay.http;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's address for rate limits and the audit log. {@code X-Forwarded-For} is anyone's to
 * write, so it is read only when the TCP peer is one of {@code --trusted-proxies}; then the
 * rightmost address not itself a trusted proxy is the client (entries further left were written by
 * the client and prove nothing). With no trusted proxies the header is ignored. In a cluster a
 * request a sibling relay passed on carries the client's address in a signed header
 * ({@link ForwardedClient}), which comes first.
 */
public final class ClientAddress {
    private final List<Cidr> trusted;
    private final ForwardedClient siblings; // null on a single node

    private record Cidr(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    /** {@code trustedProxies}: IP addresses or CIDR blocks (10.0.0.0/8, ::1); hostnames are refused. */
    public ClientAddress(List<String> trustedProxies) {
        this(trustedProxies, null);
    }

    /** {@code siblings}: checks the address sibling relays vouch for; null on a single node. */
    public ClientAddress(List<String> trustedProxies, ForwardedClient siblings) {
        this.siblings = siblings;
        List<Cidr> parsed = new ArrayList<>();
        for (String entry : trustedProxies) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            byte[] address = literal(slash < 0 ? e : e.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("--trusted-proxies takes IP addresses or CIDR blocks, not '" + e + "'");
            }
            int bits = slash < 0 ? address.length * 8 : Integer.parseInt(e.substring(slash + 1));
            if (bits < 0 || bits > address.length * 8) {
                throw new IllegalArgumentException("bad prefix length in --trusted-proxies entry '" + e + "'");
            }
            parsed.add(new Cidr(address, bits));
        }
        this.trusted = List.copyOf(parsed);
    }

    public String of(Context ctx) {
        String vouched = siblings == null ? null : siblings.verifiedClient(ctx);
        if (vouched != null) {
            return vouched;
        }
        String peer = ctx.req().getRemoteAddr();
        if (trusted.isEmpty() || !isTrusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String line : java.util.Collections.list(ctx.req().getHeaders("X-Forwarded-For"))) {
            for (String hop : line.split(",")) {
                hops.add(hop.strip());
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (literal(hop) == null) {
                return peer; // garbage where an address should be: trust nothing further left
            }
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return peer;
    }

    private boolean isTrusted(String address) {
        byte[] bytes = literal(address);
        return bytes != null && trusted.stream().anyMatch(c -> c.contains(bytes));
    }

    /** The bytes of an IP literal, or null; never a DNS lookup (only hex digits, dots and colons pass). */
    static byte[] literal(String text) {
        if (text == null || text.isEmpty() || text.length() > 45 || !text.matches("[0-9A-Fa-f:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
