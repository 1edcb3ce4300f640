package devicetunnel.relay.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/helm/device-tunnel without helm (not installable here): Chart.yaml and values.yaml parse,
 * every {@code .Values.x.y} a template names is defined, and each template, with its template
 * actions replaced by a placeholder, is YAML of the expected kind: a relay Deployment with a
 * /readyz readiness probe, a preStop, a grace period longer than the drain timeout and secrets as
 * files; a Service; a PodDisruptionBudget.
 */
@Timeout(30)
class HelmChartTest {
    private static final Path CHART = Path.of("").toAbsolutePath().getParent().resolve("deploy/helm/device-tunnel");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern VALUE_REF = Pattern.compile("\\.Values((?:\\.[A-Za-z0-9_]+)+)");
    private static final Pattern ACTION = Pattern.compile("\\{\\{-?.*?-?}}");

    @Test
    void chartAndValuesParseAndTemplatesNameOnlyDefinedValues() throws IOException {
        JsonNode chart = YAML.readTree(CHART.resolve("Chart.yaml").toFile());
        assertThat(chart.path("apiVersion").asText()).isEqualTo("v2");
        assertThat(chart.path("name").asText()).isEqualTo("device-tunnel");
        assertThat(chart.path("version").asText()).matches("\\d+\\.\\d+\\.\\d+");
        JsonNode values = values();
        List<String> undefined = new ArrayList<>();
        for (Path template : templates()) {
            Matcher m = VALUE_REF.matcher(Files.readString(template));
            while (m.find()) {
                JsonNode node = values;
                for (String key : m.group(1).substring(1).split("\\.")) {
                    node = node.path(key);
                }
                if (node.isMissingNode()) {
                    undefined.add(template.getFileName() + ": .Values" + m.group(1));
                }
            }
        }
        assertThat(undefined).isEmpty();
    }

    @Test
    void relayDeploymentIsReadyOnReadyzDrainsBeforeItIsKilledAndReadsSecretsFromFiles() throws IOException {
        Map<String, JsonNode> kinds = renderedKinds();
        assertThat(kinds).containsKeys("Deployment", "Service", "PodDisruptionBudget");
        JsonNode pod = kinds.get("Deployment").path("spec").path("template").path("spec");
        JsonNode relay = pod.path("containers").get(0);
        assertThat(relay.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(relay.path("lifecycle").path("preStop").path("exec").path("command").isArray()).isTrue();
        assertThat(relay.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();

        JsonNode values = values();
        assertThat(values.path("terminationGracePeriodSeconds").asInt())
                .isGreaterThan(values.path("relay").path("drainTimeoutSeconds").asInt() + values.path("preStopSleepSeconds").asInt());

        List<String> envNames = new ArrayList<>();
        relay.path("env").forEach(e -> envNames.add(e.path("name").asText()));
        assertThat(envNames).contains("DT_DATABASE_URL", "DT_DATABASE_PASSWORD_FILE", "DT_JWT_SECRET_FILE", "DT_CLUSTER_NATS_URL",
                "DT_ADVERTISE_URL", "DT_RELAY_ID", "DT_TRUSTED_PROXIES");
        assertThat(envNames).filteredOn(n -> n.matches(".*(SECRET|PASSWORD|TOKEN|KEY).*")).allMatch(n -> n.endsWith("_FILE"));
        assertThat(Files.readString(CHART.resolve("templates/deployment.yaml"))).contains("secretName: \"{{ .Values.secrets.name }}\"");
        assertThat(kinds.get("PodDisruptionBudget").path("apiVersion").asText()).isEqualTo("policy/v1");
    }

    private static JsonNode values() throws IOException {
        return YAML.readTree(CHART.resolve("values.yaml").toFile());
    }

    private static List<Path> templates() throws IOException {
        try (Stream<Path> files = Files.list(CHART.resolve("templates"))) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(yaml).isNotEmpty();
            return yaml;
        }
    }

    /** Each template with lines holding only an action dropped and other actions replaced: kind to document. */
    private static Map<String, JsonNode> renderedKinds() throws IOException {
        Map<String, JsonNode> kinds = new HashMap<>();
        for (Path template : templates()) {
            StringBuilder plain = new StringBuilder();
            for (String line : Files.readAllLines(template)) {
                if (!line.strip().matches("\\{\\{-?.*-?}}")) {
                    plain.append(ACTION.matcher(line).replaceAll("templated")).append('\n');
                }
            }
            JsonNode doc = YAML.readTree(plain.toString());
            kinds.put(doc.path("kind").asText(), doc);
        }
        return kinds;
    }
}
