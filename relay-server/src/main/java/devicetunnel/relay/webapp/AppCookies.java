package devicetunnel.relay.webapp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The relay's own cookie on an app's origin, and what the app's cookies may do. The app never sees
 * the relay's cookie (it would let the app act as the operator's browser towards the relay); the
 * app's {@code Set-Cookie} loses any {@code Domain} attribute, so its cookies stay on its own host
 * and never reach sibling apps or a console under the same parent domain.
 */
final class AppCookies {
    static final String NAME = "devtunnel_app";

    private AppCookies() {}

    /** The relay cookie's value among a request's {@code Cookie} headers, or null. */
    static String relayCookie(List<String> cookieHeaders) {
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(NAME)) {
                    return pair.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }

    /** The request's {@code Cookie} headers as one, without the relay's cookie; null when nothing is left. */
    static String forApp(List<String> cookieHeaders) {
        List<String> kept = new ArrayList<>();
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair.trim() : pair.substring(0, eq).trim();
                if (!name.isEmpty() && !name.equals(NAME)) {
                    kept.add(pair.trim());
                }
            }
        }
        return kept.isEmpty() ? null : String.join("; ", kept);
    }

    /** The app's {@code Set-Cookie} value made host-only; null to drop it (it names the relay's cookie). */
    static String fromApp(String setCookie) {
        String[] parts = setCookie.split(";");
        int eq = parts[0].indexOf('=');
        if (eq <= 0 || parts[0].substring(0, eq).trim().equals(NAME)) {
            return null;
        }
        StringBuilder out = new StringBuilder(parts[0].trim());
        for (int i = 1; i < parts.length; i++) {
            String attribute = parts[i].trim();
            if (!attribute.toLowerCase(Locale.ROOT).startsWith("domain")) {
                out.append("; ").append(attribute);
            }
        }
        return out.toString();
    }

    /** The relay's cookie for an app: host-only, script-proof, sent on top-level navigations into the app. */
    static String relayCookieHeader(String value, boolean secure, long maxAgeSeconds) {
        return NAME + "=" + value + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + maxAgeSeconds + (secure ? "; Secure" : "");
    }
}
