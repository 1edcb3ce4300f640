package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Query parameters the list routes share, refused with a 400 that says what was expected. */
final class QueryParams {
    private QueryParams() {}

    /** An ISO instant ({@code from}, {@code to}); null when absent or blank. */
    static Instant instant(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'" + name + "' must be a time like 2026-12-01T09:00:00Z.");
        }
    }
}
