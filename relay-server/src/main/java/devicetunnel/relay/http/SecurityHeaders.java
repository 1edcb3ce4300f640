package devicetunnel.relay.http;

import io.javalin.http.Context;

/**
 * Headers every response carries. The console loads its script and styles from the relay only
 * (web-ui has no inline script, checked by BrowserIT running under this policy); styles allow
 * 'unsafe-inline' because xterm.js sizes its rows through injected style elements, and styles cannot
 * run code. Framing is refused (clickjacking a terminal would type for the operator), MIME sniffing
 * off, no Referer leaves the console (URLs carry device and session ids). HSTS only when the
 * browser reached the relay over TLS (its own, or a TLS proxy in front, {@code --allow-plain-http}):
 * on plain HTTP the header would be ignored, or pin a loopback demo to HTTPS.
 */
public final class SecurityHeaders {
    public static final String CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'";
    public static final String HSTS = "max-age=31536000";

    private final boolean behindTls;

    public SecurityHeaders(boolean behindTls) {
        this.behindTls = behindTls;
    }

    public void apply(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        if (behindTls) {
            ctx.header("Strict-Transport-Security", HSTS);
        }
    }
}
