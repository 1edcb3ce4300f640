package devicetunnel.relay.metrics;

import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.http.OperatorAuth;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code GET /metrics} on the main port: for the scrape token's holder or an admin, nobody else. */
public final class MetricsRoute {
    public static final String PATH = "/metrics";

    private final RelayMetrics metrics;
    private final MetricsAccess access;
    private final OperatorAuth auth;

    public MetricsRoute(RelayMetrics metrics, MetricsAccess access, OperatorAuth auth) {
        this.metrics = metrics;
        this.access = access;
        this.auth = auth;
    }

    public void install(RoutesConfig routes) {
        routes.get(PATH, this::scrape);
    }

    private void scrape(Context ctx) {
        if (!access.isScrapeToken(Credentials.bearer(ctx.header("Authorization")))) {
            auth.authenticate(ctx); // 401 without a valid credential
            OperatorAuth.requireAdmin(ctx); // 403 for operators: the metrics show the whole fleet
        }
        ctx.contentType(RelayMetrics.contentType());
        ctx.result(metrics.scrape());
    }
}
