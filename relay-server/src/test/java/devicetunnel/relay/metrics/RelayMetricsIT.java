package devicetunnel.relay.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** /metrics of a real relay with a real agent and a real terminal session, and the deploy/ files that read it. */
@Timeout(120)
class RelayMetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String SCRAPE_TOKEN = "scrape-token-for-the-test-0123";
    private static final String ONLINE = "devtunnel_devices_online{relay=\"standalone\"}";
    private static final String TERMINALS_OPEN = "devtunnel_sessions_open{kind=\"terminal\"}";
    private static final String BAD_PASSWORDS = "devtunnel_auth_failures_total{reason=\"bad_password\"}";
    private static final Path DEPLOY = Path.of("..", "deploy");

    @TempDir
    Path dir;
    TestRelay relay;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir, c -> c.withMetrics(new RelayConfig.Metrics("127.0.0.1", 0, SCRAPE_TOKEN)));
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void onlyAdminsAndTheScrapeTokenReadMetrics() throws Exception {
        assertThat(relay.get("/metrics", null).statusCode()).isEqualTo(401);
        relay.addUser("olga", "operator password 1", User.Role.OPERATOR, Map.of());
        assertThat(relay.get("/metrics", relay.login("olga", "operator password 1")).statusCode()).isEqualTo(403);
        HttpResponse<String> admin = relay.get("/metrics", relay.adminToken());
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(relay.get("/metrics", SCRAPE_TOKEN).statusCode()).isEqualTo(200);
        assertThat(relay.get("/metrics", SCRAPE_TOKEN + "x").statusCode()).isEqualTo(401);

        assertThat(separate(null).statusCode()).isEqualTo(401); // a token is configured: the separate port wants it too
        HttpResponse<String> scraped = separate(SCRAPE_TOKEN);
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.body()).contains("devtunnel_devices_online").contains("jvm_memory_used_bytes");
    }

    @Test
    void devicesSessionsAndAuthFailuresMoveTheirSeries() throws Exception {
        assertThat(value(scrape(), ONLINE)).isZero();
        assertThat(value(scrape(), BAD_PASSWORDS)).isZero();
        relay.onlineDevice("dev-1");
        await().atMost(WAIT).until(() -> value(scrape(), ONLINE) == 1);

        HttpResponse<String> refused = relay.post("/api/v1/auth/login", null,
                "{\"username\":\"admin\",\"password\":\"not the password\"}");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(value(scrape(), BAD_PASSWORDS)).isEqualTo(1);

        try (TerminalClient term = relay.terminal("dev-1", relay.adminToken(), 80, 24)) {
            term.awaitControl("session", WAIT);
            term.type("echo metrics-$((40+2))\r");
            term.awaitOutput(TerminalClient.hasLine("metrics-42"), WAIT);
            String during = scrape();
            assertThat(value(during, TERMINALS_OPEN)).isEqualTo(1);
            assertThat(value(during, "devtunnel_session_setup_seconds_count{kind=\"terminal\"}")).isEqualTo(1);
            assertThat(value(during, "devtunnel_session_setup_seconds_sum{kind=\"terminal\"}")).isPositive();
            assertThat(value(during, "devtunnel_terminal_output_bytes_total")).isGreaterThanOrEqualTo("metrics-42".length());
            assertThat(value(during, "devtunnel_terminal_input_bytes_total"))
                    .isGreaterThanOrEqualTo("echo metrics-$((40+2))\r".length());
            term.type("exit\r"); // a closed browser alone keeps the session for a resume
            term.awaitControl("exit", WAIT);
        }
        await().atMost(WAIT).until(() -> value(scrape(), TERMINALS_OPEN) == 0);
        assertThat(value(scrape(), "devtunnel_ready")).isEqualTo(1);
    }

    @Test
    void everyMetricTheDeployFilesNameIsExported() throws Exception {
        relay.onlineDevice("dev-1"); // not needed for the names, but a realistic scrape
        Set<String> exported = exportedNames(scrape());
        exported.add("up"); // Prometheus's own, per scrape target

        List<String> expressions = new ArrayList<>();
        JsonNode alerts = new YAMLMapper().readTree(DEPLOY.resolve("prometheus-alerts.yml").toFile());
        for (JsonNode group : alerts.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                expressions.add(rule.get("expr").asText());
            }
        }
        int alertRules = expressions.size();
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DEPLOY.resolve("grafana-dashboard.json")));
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                expressions.add(target.get("expr").asText());
            }
        }
        assertThat(alertRules).as("alert rules").isGreaterThanOrEqualTo(4);
        assertThat(expressions.size() - alertRules).as("dashboard queries").isGreaterThanOrEqualTo(10);
        Set<String> named = new TreeSet<>();
        for (String expression : expressions) {
            Set<String> names = metricNames(expression);
            assertThat(names).as("metrics named by %s", expression).isNotEmpty();
            named.addAll(names);
        }
        assertThat(exported).as("metrics the relay exports").containsAll(named);
        assertThat(named).contains("devtunnel_devices_online", "devtunnel_session_setup_seconds_bucket",
                "devtunnel_auth_failures_total", "devtunnel_ready");
    }

    @Test
    void theNameExtractionSeesThroughLabelsRangesAndGroupings() {
        assertThat(metricNames("sum by (le, kind) (rate(a_seconds_bucket{kind=\"x\", le=~\"1\"}[5m] offset 5m)) > 0.5 or up == 0"))
                .containsExactlyInAnyOrder("a_seconds_bucket", "up");
    }

    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern GROUPINGS = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool");

    /** The metric names a PromQL expression reads: identifiers that are not functions, labels, keywords or durations. */
    static Set<String> metricNames(String promql) {
        String bare = STRINGS.matcher(promql).replaceAll("\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ");
        bare = GROUPINGS.matcher(bare).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static Set<String> exportedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** The value of one series, e.g. {@code name{label="v"}}; fails when the relay does not export it. */
    private static double value(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series + " in the scrape");
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = relay.get("/metrics", SCRAPE_TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> separate(String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + relay.server().metricsPort() + "/metrics"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return relay.send(request.build());
    }
}
