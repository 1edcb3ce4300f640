package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.support.AgentProcess;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --log-format json} on a real relay and a real agent (own JVMs) at debug level for the
 * project's packages: every line is one JSON object with the documented fields, a session's lines
 * carry its ids, and no keystroke, shell output, token or password reaches either log.
 */
@Timeout(150)
class JsonLogsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String[] JSON_DEBUG = {"--log-format", "json", "--log-levels", "devicetunnel=debug,root=info"};
    private static final String KEYS = "kEyStRoKe";
    private static final String WRONG_PASSWORD = "wrong-pAsSwOrD-typed";

    @TempDir
    Path dir;

    @Test
    void relayAndAgentLogOneJsonObjectPerLineAndNoSecrets() throws Exception {
        Path state = dir.resolve("relay");
        String enrollment = RelayProcess.prepareState(state);
        Path agentState = Files.createDirectories(dir.resolve("agent"));
        HttpClient http = HttpClient.newHttpClient();
        String token;
        String sessionId;
        try (RelayProcess relay = RelayProcess.start(RelayProcess.LEAN, state, JSON_DEBUG);
             AgentProcess agent = AgentProcess.start(RelayProcess.LEAN, relay.baseUrl(), "dev-json", enrollment,
                     agentState, JSON_DEBUG)) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/api/v1/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("username", TestRelay.ADMIN,
                            "password", WRONG_PASSWORD)))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            token = RelayProcess.adminToken(relay.baseUrl());
            await().atMost(WAIT).until(() -> online(http, relay.baseUrl(), token));

            URI terminal = URI.create(relay.baseUrl().replaceFirst("^http", "ws") + "/api/v1/devices/dev-json/terminal?cols=80&rows=24");
            try (TerminalClient term = TerminalClient.connect(terminal, token)) {
                sessionId = term.awaitSessionId(WAIT);
                term.type("echo " + KEYS + "-$((6*7))\r");
                term.awaitOutput(out -> out.contains(KEYS + "-42"), WAIT);
                term.type("exit\r");
                term.awaitControl("exit", WAIT);
            }
            await().atMost(WAIT).until(() -> relay.log().contains("session.close"));
        }

        List<JsonNode> relayLines = jsonLines(state.resolve("relay.log"));
        List<JsonNode> agentLines = jsonLines(agentState.resolve("agent.log"));
        assertThat(relayLines).anySatisfy(line -> {
            assertThat(line.get("message").asText()).startsWith("session.open");
            assertThat(line.get("session").asText()).isEqualTo(sessionId);
            assertThat(line.get("device").asText()).isEqualTo("dev-json");
            assertThat(line.get("operator").asText()).isEqualTo(TestRelay.ADMIN);
        });
        assertThat(relayLines).anySatisfy(line -> assertThat(line.get("level").asText()).isEqualTo("DEBUG"));
        assertThat(relayLines).allSatisfy(line -> assertThat(line.has("relay")).isTrue());
        assertThat(agentLines).isNotEmpty().allSatisfy(line -> assertThat(line.get("device").asText()).isEqualTo("dev-json"));

        String logs = Files.readString(state.resolve("relay.log")) + Files.readString(agentState.resolve("agent.log"));
        for (String secret : List.of(KEYS, token, TestRelay.PASSWORD, WRONG_PASSWORD, enrollment)) {
            assertThat(logs).as("the logs hold no keystroke, output, token or password").doesNotContain(secret);
        }
    }

    /** Every line parses as one JSON object with time, level, logger and message. */
    private static List<JsonNode> jsonLines(Path log) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String text : Files.readAllLines(log)) {
            if (text.isBlank()) {
                continue;
            }
            JsonNode line = Json.MAPPER.readTree(text);
            assertThat(line.isObject()).as(text).isTrue();
            for (String field : List.of("time", "level", "logger", "message")) {
                assertThat(line.hasNonNull(field)).as("%s in %s", field, text).isTrue();
            }
            lines.add(line);
        }
        return lines;
    }

    private static boolean online(HttpClient http, String baseUrl, String token) throws Exception {
        HttpResponse<String> device = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/devices/dev-json"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        return device.statusCode() == 200 && Json.MAPPER.readTree(device.body()).get("online").asBoolean();
    }
}
