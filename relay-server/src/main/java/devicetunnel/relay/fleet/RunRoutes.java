package devicetunnel.relay.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.http.OperatorAuth;
import devicetunnel.relay.http.SiblingRequests;
import io.javalin.http.Handler;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Commands on many devices: {@code POST /api/v1/runs} starts one (or, with {@code "dryRun": true},
 * lists the devices it would reach), {@code GET /api/v1/runs[/{id}]} reads them,
 * {@code GET /api/v1/runs/{id}/events} streams device results as server-sent events,
 * {@code GET /api/v1/runs/{id}/devices/{device}/output?stream=stdout|stderr} downloads one output,
 * {@code DELETE /api/v1/runs/{id}} cancels. A run lives on the relay that started it; in a cluster
 * any relay answers: it passes requests about a sibling's run to that sibling and lists every
 * relay's runs.
 */
public final class RunRoutes {
    private static final Set<String> FIELDS = Set.of("selector", "devices", "command", "concurrency", "timeoutSeconds",
            "stopAfterFailures", "dryRun");
    private static final int MAX_COMMAND_CHARS = 8192;
    private static final long KEEPALIVE_MILLIS = 10_000;

    private final FleetRuns runs;
    private final SiblingRequests siblings;

    public RunRoutes(FleetRuns runs, SiblingRequests siblings) {
        this.runs = runs;
        this.siblings = siblings;
    }

    public void install(RoutesConfig routes) {
        routes.post("/api/v1/runs", this::start);
        routes.get("/api/v1/runs", this::list);
        routes.get("/api/v1/runs/{id}", heldHere(ctx -> ctx.json(run(ctx).view())));
        routes.delete("/api/v1/runs/{id}", heldHere(ctx -> {
            FleetRun run = run(ctx);
            runs.cancel(run, OperatorAuth.current(ctx).username(), ctx.ip());
            ctx.json(run.summary());
        }));
        routes.get("/api/v1/runs/{id}/events", heldHere(this::events));
        routes.get("/api/v1/runs/{id}/devices/{device}/output", heldHere(this::output));
    }

    /** This relay's runs and its siblings', newest first. */
    private void list(Context ctx) {
        List<JsonNode> all = new ArrayList<>();
        runs.list(OperatorAuth.current(ctx)).forEach(run -> all.add(Json.MAPPER.valueToTree(run.summary())));
        siblings.gatherLists(ctx).forEach(list -> list.forEach(all::add));
        all.sort(Comparator.comparing((JsonNode run) -> java.time.Instant.parse(run.path("startedAt").asText())).reversed());
        ctx.json(all);
    }

    private FleetRun run(Context ctx) {
        return runs.find(OperatorAuth.current(ctx), ctx.pathParam("id"));
    }

    private void start(Context ctx) {
        Operator operator = OperatorAuth.current(ctx);
        FleetRuns.Request request = request(Json.readObject(ctx.body(), 256 * 1024));
        if (request.dryRun()) {
            ctx.json(Map.of("dryRun", true, "devices", runs.dryRun(operator, request, ctx.ip())));
            return;
        }
        ctx.status(202).json(runs.start(operator, request, ctx.ip()).view());
    }

    static FleetRuns.Request request(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw bad("Unknown field '" + name.replaceAll("[^\\x20-\\x7e]", "?") + "'.");
            }
        }
        JsonNode command = body.get("command");
        if (command == null || !command.isTextual() || command.asText().isBlank() || command.asText().length() > MAX_COMMAND_CHARS) {
            throw bad("'command' must be a non-empty string of at most " + MAX_COMMAND_CHARS + " characters.");
        }
        boolean hasSelector = body.hasNonNull("selector");
        boolean hasDevices = body.hasNonNull("devices");
        if (hasSelector == hasDevices) {
            throw bad("Give either 'selector' (e.g. \"env=prod,!canary\") or 'devices' (a list of ids), not both.");
        }
        if (hasSelector && !body.get("selector").isTextual()) {
            throw bad("'selector' must be a string such as \"env=prod,site=berlin\".");
        }
        List<String> devices = new ArrayList<>();
        if (hasDevices) {
            JsonNode list = body.get("devices");
            if (!list.isArray() || list.isEmpty() || list.size() > FleetRuns.MAX_TARGETS) {
                throw bad("'devices' must be a list of 1 to " + FleetRuns.MAX_TARGETS + " device ids.");
            }
            list.forEach(d -> {
                if (!d.isTextual() || !devicetunnel.protocol.Protocol.isValidDeviceId(d.asText())) {
                    throw bad("'devices' must hold device ids (letters, digits, '.', '_', '-').");
                }
                devices.add(d.asText());
            });
        }
        return new FleetRuns.Request(hasSelector ? body.get("selector").asText() : null, devices, command.asText(),
                (int) integer(body, "concurrency", 10, 1, FleetRuns.MAX_CONCURRENCY),
                integer(body, "timeoutSeconds", 60, 1, 24 * 3600),
                (int) integer(body, "stopAfterFailures", 0, 0, FleetRuns.MAX_TARGETS),
                flag(body, "dryRun"));
    }

    private static long integer(JsonNode body, String field, long fallback, long min, long max) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
            throw bad("'" + field + "' must be an integer from " + min + " to " + max + ".");
        }
        return node.asLong();
    }

    private static boolean flag(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node != null && !node.isNull() && !node.isBoolean()) {
            throw bad("'" + field + "' must be true or false.");
        }
        return node != null && node.asBoolean();
    }

    private static TunnelException bad(String message) {
        return new TunnelException(ErrorCode.BAD_REQUEST, message);
    }

    /**
     * Server-sent events, on this request's thread until the run ends: {@code device} with a device's
     * result each time it changes (every device once at the start), then {@code summary} and the end
     * of the stream. A comment line every {@value #KEEPALIVE_MILLIS} ms keeps proxies from cutting it.
     */
    private void events(Context ctx) throws IOException, InterruptedException {
        FleetRun run = run(ctx); // before any byte: an unknown run is a plain 404
        ctx.status(200);
        ctx.header("Content-Type", "text/event-stream");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        long seen = -1; // below every device's version: the first pass sends them all
        while (true) {
            boolean done = run.isDone(); // read first: changes up to here are then all sent below
            long version = run.version();
            List<RunViews.DeviceResult> changed = run.changedSince(seen);
            for (RunViews.DeviceResult result : changed) {
                write(out, "device", Json.write(result));
            }
            seen = version;
            if (done) {
                write(out, "summary", Json.write(run.summary()));
                return;
            }
            if (changed.isEmpty()) {
                out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            run.awaitChange(seen, KEEPALIVE_MILLIS);
        }
    }

    private static void write(OutputStream out, String event, String json) throws IOException {
        out.write(("event: " + event + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void output(Context ctx) {
        FleetRun run = run(ctx);
        DeviceRun device = run.device(ctx.pathParam("device"));
        if (device == null) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "That device is not part of this run.");
        }
        String stream = ctx.queryParam("stream") == null ? "stdout" : ctx.queryParam("stream");
        OutputCapture capture = switch (stream) {
            case "stdout" -> device.stdout();
            case "stderr" -> device.stderr();
            default -> throw bad("'stream' must be stdout or stderr.");
        };
        ctx.header("Content-Type", "text/plain; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"" + run.id() + "-" + device.deviceId() + "." + stream + ".txt\"");
        ctx.header("Cache-Control", "no-store");
        ctx.result(capture.full());
    }

    /** {@code local} for what this relay holds; otherwise the sibling holding it answers. */
    private Handler heldHere(Handler local) {
        return SiblingRequests.heldHereOrBySibling(runs::holds, siblings::forwardToOwner, local);
    }
}
