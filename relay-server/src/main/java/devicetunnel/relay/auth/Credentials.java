package devicetunnel.relay.auth;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Finds the operator token on a request, in order of preference: {@code Authorization: Bearer} (API and
 * CLI), the websocket subprotocol pair {@code jwt, <token>} (scripts that cannot set headers), then the
 * session cookie (browsers). Explicit credentials win over the ambient cookie. Query-string tokens are
 * not accepted: they end up in access logs.
 */
public final class Credentials {
    public static final String COOKIE = "dt_session";
    public static final String SUBPROTOCOL = "jwt";

    private Credentials() {}

    public static String find(Context ctx) {
        String bearer = bearer(ctx.header("Authorization"));
        if (bearer != null) {
            return bearer;
        }
        List<String> protocols = offeredSubprotocols(ctx);
        int i = protocols.indexOf(SUBPROTOCOL);
        if (i >= 0 && i + 1 < protocols.size()) {
            return protocols.get(i + 1);
        }
        String cookie = ctx.cookie(COOKIE);
        return cookie == null || cookie.isBlank() ? null : cookie;
    }

    public static String bearer(String header) {
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        return null;
    }

    /** Every offered subprotocol, across all header lines. */
    public static List<String> offeredSubprotocols(Context ctx) {
        List<String> protocols = new ArrayList<>();
        for (String line : Collections.list(ctx.req().getHeaders("Sec-WebSocket-Protocol"))) {
            for (String p : line.split(",")) {
                if (!p.isBlank()) {
                    protocols.add(p.trim());
                }
            }
        }
        return protocols;
    }
}
