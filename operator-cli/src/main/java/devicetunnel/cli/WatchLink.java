package devicetunnel.cli;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A share link as the console and {@code devtunnel share create} hand it out:
 * {@code https://relay/#watch=SESSION&share=TOKEN}, or just its {@code /#watch=…} part.
 *
 * @param relay the link's relay (scheme://host[:port]); null when the link had none
 */
record WatchLink(String relay, String sessionId, String token) {

    static WatchLink parse(String text) {
        String link = text.strip();
        int hash = link.indexOf('#');
        if (hash < 0) {
            throw notALink();
        }
        Map<String, String> fields = new HashMap<>();
        for (String pair : link.substring(hash + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String session = fields.get("watch");
        String token = fields.get("share");
        if (session == null || session.isEmpty() || token == null || token.isEmpty()) {
            throw notALink();
        }
        String before = link.substring(0, hash);
        String relay = null;
        if (!before.isEmpty() && !before.equals("/")) {
            URI uri = RelayClient.parseRelay(before, true);
            relay = uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + uri.getAuthority().toLowerCase(java.util.Locale.ROOT);
        }
        return new WatchLink(relay, LoggedIn.id("session", session), token);
    }

    /** Whether this link is for the relay at {@code base} (a link without a relay is for any). */
    boolean isFor(URI base) {
        return relay == null || relay.equals(base.getScheme().toLowerCase(java.util.Locale.ROOT) + "://"
                + base.getAuthority().toLowerCase(java.util.Locale.ROOT));
    }

    private static CliException notALink() {
        return new CliException(CliException.USAGE, "not a share link (it looks like https://relay/#watch=SESSION&share=…)");
    }

    @Override
    public String toString() {
        return "WatchLink[" + sessionId + "]"; // never the token
    }
}
