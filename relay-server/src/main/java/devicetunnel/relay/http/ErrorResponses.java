package devicetunnel.relay.http;

import devicetunnel.relay.policy.RateLimited;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every HTTP error leaves through here: the status from {@link ErrorCode}, a JSON body, HTML for browsers. */
public final class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    /** The error's code as a header too, for clients that cannot read the body of a refused websocket upgrade. */
    public static final String ERROR_HEADER = "X-Devtunnel-Error";

    private ErrorResponses() {}

    public static void install(RoutesConfig routes) {
        routes.exception(TunnelException.class, (e, ctx) -> {
            if (e.getCause() instanceof java.sql.SQLException sql) {
                // the driver's words go to the log only; the client gets the readable message
                log.warn("store error on {} {}: {} ({})", ctx.method(), ctx.path(), e.getMessage(), sql.getMessage());
            }
            // A websocket client sees only the status and headers of a refused upgrade, not this body.
            ctx.header(ERROR_HEADER, e.code().code());
            if (e instanceof RateLimited limited) {
                ctx.header("Retry-After", Long.toString(limited.retryAfterSeconds()));
            }
            send(ctx, e.code(), e.getMessage());
        });
        routes.exception(io.javalin.http.HttpResponseException.class, (e, ctx) ->
                send(ctx, fromStatus(e.getStatus()), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
            send(ctx, ErrorCode.INTERNAL, null);
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                send(ctx, ErrorCode.NOT_FOUND, "No such resource: " + ctx.path());
            }
        });
    }

    public static void send(Context ctx, ErrorCode code, String message) {
        String text = message == null || message.isBlank() ? code.defaultMessage() : message;
        ctx.status(code.httpStatus());
        String accept = ctx.header("Accept");
        if (accept != null && accept.contains("text/html") && !ctx.path().startsWith("/api/")) {
            ctx.html("<!doctype html><title>" + code.httpStatus() + "</title><h1>" + code.httpStatus() + " "
                    + escape(code.code()) + "</h1><p>" + escape(text) + "</p>");
            return;
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code.code());
        body.put("message", text);
        ctx.contentType("application/json").result(Json.write(body));
    }

    static ErrorCode fromStatus(int status) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.httpStatus() == status) {
                return c;
            }
        }
        return status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
