package devicetunnel.relay.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * {@code GET /readyz}: ready only while every registered check finds nothing wrong; otherwise 503
 * with each {@code {"component","detail"}} that is. Checks are cheap reads of state kept elsewhere
 * (the store's heartbeat, the drain flag): a load balancer polls this often. A degradation (a
 * relay of a cluster that lost NATS still serves its own devices) keeps the 200 and says
 * {@code "status":"degraded"}, so a balancer does not take every relay out when a shared
 * service fails.
 */
public final class Readiness {
    public record Reason(String component, String detail) {}

    private record Check(String component, Supplier<String> problem) {}

    private final List<Check> checks = new CopyOnWriteArrayList<>();
    private final List<Check> degradations = new CopyOnWriteArrayList<>();
    private final Supplier<Map<String, Object>> details;

    /** {@code details}: extra fields for the body (devices online, cluster status). */
    public Readiness(Supplier<Map<String, Object>> details) {
        this.details = details;
    }

    /** {@code problem} answers null while {@code component} is fine, else what is wrong in words for people. */
    public void add(String component, Supplier<String> problem) {
        checks.add(new Check(component, problem));
    }

    /** Like {@link #add}, but a problem here leaves the relay ready (200), "degraded". */
    public void addDegradation(String component, Supplier<String> problem) {
        degradations.add(new Check(component, problem));
    }

    public List<Reason> reasons() {
        return found(checks);
    }

    private static List<Reason> found(List<Check> from) {
        List<Reason> found = new ArrayList<>();
        for (Check check : from) {
            String problem = check.problem().get();
            if (problem != null) {
                found.add(new Reason(check.component(), problem));
            }
        }
        return found;
    }

    public boolean isReady() {
        return reasons().isEmpty();
    }

    public void install(io.javalin.config.RoutesConfig routes) {
        routes.get("/readyz", ctx -> {
            List<Reason> reasons = reasons();
            List<Reason> degraded = reasons.isEmpty() ? found(degradations) : List.of();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ready", reasons.isEmpty());
            body.put("status", !reasons.isEmpty() ? "not ready" : degraded.isEmpty() ? "ready" : "degraded");
            body.put("reasons", reasons);
            if (!reasons.isEmpty()) {
                body.put("reason", reasons.get(0).detail()); // the first one, for clients of the older shape
            } else if (!degraded.isEmpty()) {
                body.put("degraded", degraded);
                body.put("reason", degraded.get(0).component());
            }
            body.putAll(details.get());
            ctx.status(reasons.isEmpty() ? 200 : 503);
            ctx.json(body);
        });
    }
}
