package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.store.DeviceFilterStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code /api/v1/account/device-filters}: the caller's saved filters of the console's device list
 * (list, save or replace by name, delete). Every role has them; they grant nothing, so API tokens
 * may use them too.
 */
public final class DeviceFilterRoutes {
    static final String PATH = "/api/v1/account/device-filters";
    public static final int MAX_PER_USER = 50;
    static final int MAX_NAME = 64;
    static final int MAX_FILTER = 256;
    private static final Set<String> FIELDS = Set.of("name", "filter");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private final DeviceFilterStore filters;
    private final Clock clock;

    public DeviceFilterRoutes(DeviceFilterStore filters, Clock clock) {
        this.filters = filters;
        this.clock = clock;
    }

    public void install(RoutesConfig routes) {
        routes.get(PATH, this::list);
        routes.post(PATH, this::save);
        routes.delete(PATH + "/{id}", this::remove);
    }

    private void list(Context ctx) {
        Operator op = OperatorAuth.current(ctx);
        ctx.json(filters.list(op.username()).stream().map(DeviceFilterRoutes::view).toList());
    }

    /** 201 with the new filter, or 200 when it replaced the caller's filter of that name. */
    private void save(Context ctx) {
        Operator op = OperatorAuth.current(ctx);
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 4096), FIELDS);
        String name = plain(body.text("name", MAX_NAME), "name");
        String filter = plain(body.text("filter", MAX_FILTER), "filter");
        DeviceFilterStore.Saved saved = filters.save(op.username(), name, filter, MAX_PER_USER, clock.instant());
        if (saved.outcome() == DeviceFilterStore.Outcome.FULL) {
            throw new TunnelException(ErrorCode.CONFLICT, "You have " + MAX_PER_USER
                    + " saved filters already; delete one first.");
        }
        ctx.status(saved.outcome() == DeviceFilterStore.Outcome.CREATED ? 201 : 200).json(view(saved.filter()));
    }

    private void remove(Context ctx) {
        Operator op = OperatorAuth.current(ctx);
        if (!filters.remove(op.username(), ctx.pathParam("id"))) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "You have no saved filter with that id.");
        }
        ctx.status(204);
    }

    /** Trimmed, not blank, no control characters: both are shown as text in the console. */
    private static String plain(String value, String field) {
        String trimmed = value.strip();
        if (trimmed.isEmpty() || CONTROL.matcher(trimmed).find()) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "'" + field + "' must be text without control characters.");
        }
        return trimmed;
    }

    private static Map<String, Object> view(DeviceFilterStore.DeviceFilter f) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", f.id());
        v.put("name", f.name());
        v.put("filter", f.filter());
        v.put("createdAt", f.createdAt());
        return v;
    }
}
