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
 * (the store's heartbeat, the drain flag): a load balancer polls this often.
 */
public final class Readiness {
    public record Reason(String component, String detail) {}

    private record Check(String component, Supplier<String> problem) {}

    private final List<Check> checks = new CopyOnWriteArrayList<>();
    private final Supplier<Map<String, Object>> details;

    /** {@code details}: extra fields for the body (devices online, cluster status). */
    public Readiness(Supplier<Map<String, Object>> details) {
        this.details = details;
    }

    /** {@code problem} answers null while {@code component} is fine, else what is wrong in words for people. */
    public void add(String component, Supplier<String> problem) {
        checks.add(new Check(component, problem));
    }

    public List<Reason> reasons() {
        List<Reason> found = new ArrayList<>();
        for (Check check : checks) {
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
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ready", reasons.isEmpty());
            body.put("status", reasons.isEmpty() ? "ready" : "not ready");
            body.put("reasons", reasons);
            if (!reasons.isEmpty()) {
                body.put("reason", reasons.get(0).detail()); // the first one, for clients of the older shape
            }
            body.putAll(details.get());
            ctx.status(reasons.isEmpty() ? 200 : 503);
            ctx.json(body);
        });
    }
}
