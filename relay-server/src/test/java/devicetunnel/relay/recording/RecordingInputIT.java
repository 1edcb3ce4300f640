package devicetunnel.relay.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.LogCapture;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keystrokes in recordings only where the input rules ask ({@code --recording-input}): a device
 * labelled {@code env=prod} and sessions of operators; not an admin's session on another device.
 * Typed input lands in the cast as {@code "i"} events, never in the searchable transcript or a log.
 */
@Timeout(120)
class RecordingInputIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Typed at a silent prompt: it never appears in the output, only in the input. */
    private static final String SECRET = "hunter-" + "input-77";

    @TempDir
    Path dir;
    TestRelay relay;
    String admin;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir, c -> c.withMaintenance(c.maintenance()
                .withRecordingLabelPolicies(LabelPolicies.parse(List.of("env=prod:required")))
                .withRecordingInput(InputRecording.parse(List.of("label:env=prod", "role:operator")))));
        relay.onlineDevice("prod-1", Map.of("env", "prod"));
        relay.onlineDevice("lab-1", Map.of("site", "lab"));
        admin = relay.adminToken();
        assertThat(relay.send("PATCH", "/api/v1/devices/lab-1/features", admin, Map.of("recording", "on")).statusCode())
                .isEqualTo(200);
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void inputIsRecordedWhereALabelRuleAsksAndNeitherSearchedNorLogged() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            String sessionId = typeSecretAndClose("prod-1", admin);
            JsonNode recording = recordingOf(sessionId);
            List<JsonNode> events = events(recording);
            assertThat(JSON.readTree(castLines(recording).get(0)).get("devicetunnel").get("input").asText()).isEqualTo("recorded");
            assertThat(typed(events)).contains("read -r pw", SECRET);
            assertThat(output(events)).doesNotContain(SECRET).contains("typed-" + SECRET.length());

            HttpResponse<String> search = relay.get("/api/v1/recordings?q="
                    + URLEncoder.encode(SECRET, StandardCharsets.UTF_8), admin);
            assertThat(JSON.readTree(search.body())).as("the transcript holds output only").isEmpty();
            assertThat(logs.lines()).noneMatch(line -> line.contains(SECRET));
        }
    }

    @Test
    void inputIsNotRecordedWhereNoRuleAsks() throws Exception {
        String sessionId = typeSecretAndClose("lab-1", admin);
        JsonNode recording = recordingOf(sessionId);
        assertThat(JSON.readTree(castLines(recording).get(0)).get("devicetunnel").get("input").asText()).isEqualTo("not recorded");
        assertThat(events(recording)).isNotEmpty().noneMatch(e -> e.get(1).asText().equals("i"));
    }

    @Test
    void inputIsRecordedForTheRoleARoleRuleNames() throws Exception {
        relay.addUser("otto", "otto's password 1", User.Role.OPERATOR, Map.of());
        String sessionId = typeSecretAndClose("lab-1", relay.login("otto", "otto's password 1"));
        assertThat(typed(events(recordingOf(sessionId)))).contains(SECRET);
    }

    @Test
    void aDeviceShowsItsEffectivePolicyWithWhatItsLabelsRaise() throws Exception {
        JsonNode prod = JSON.readTree(relay.get("/api/v1/devices/prod-1", admin).body());
        assertThat(prod.get("recording").asText()).isEqualTo("off");
        JsonNode effective = prod.get("recordingEffective");
        assertThat(effective.get("policy").asText()).isEqualTo("required");
        assertThat(effective.get("device").asText()).isEqualTo("off");
        assertThat(effective.get("raisedBy")).extracting(JsonNode::asText).containsExactly("env=prod:required");
        assertThat(effective.get("inputRecordedFor")).extracting(JsonNode::asText).containsExactly("label:env=prod", "role:operator");

        JsonNode lab = JSON.readTree(relay.get("/api/v1/devices/lab-1", admin).body()).get("recordingEffective");
        assertThat(lab.get("policy").asText()).isEqualTo("on");
        assertThat(lab.get("raisedBy")).isEmpty();
        assertThat(lab.get("inputRecordedFor")).extracting(JsonNode::asText).containsExactly("role:operator");
    }

    /** Typed with the terminal's echo off (so it is not in the output), then a line that proves the shell got it. */
    private String typeSecretAndClose(String device, String token) throws Exception {
        try (TerminalClient term = relay.terminal(device, token, 80, 24)) {
            String sessionId = term.awaitSessionId(WAIT);
            term.type("stty -echo; echo silent-$((6*7)); read -r pw; stty echo; echo typed-${#pw}\r");
            term.awaitOutput(TerminalClient.hasLine("silent-42"), WAIT);
            term.type(SECRET + "\r");
            term.awaitOutput(TerminalClient.hasLine("typed-" + SECRET.length()), WAIT);
            term.sendText("{\"type\":\"close\"}");
            term.awaitClose(WAIT);
            return sessionId;
        }
    }

    private JsonNode recordingOf(String sessionId) {
        return await().atMost(WAIT).until(() -> {
            for (JsonNode r : JSON.readTree(relay.get("/api/v1/recordings", admin).body())) {
                if (r.get("sessionId").asText().equals(sessionId) && !r.get("endedAt").isNull()) {
                    return r;
                }
            }
            return null;
        }, r -> r != null);
    }

    private List<String> castLines(JsonNode recording) throws Exception {
        HttpResponse<String> cast = relay.get("/api/v1/recordings/" + recording.get("id").asText() + "/cast", admin);
        assertThat(cast.statusCode()).isEqualTo(200);
        return cast.body().lines().toList();
    }

    private List<JsonNode> events(JsonNode recording) throws Exception {
        List<String> lines = castLines(recording);
        List<JsonNode> events = new java.util.ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            events.add(JSON.readTree(line));
        }
        return events;
    }

    private static String typed(List<JsonNode> events) {
        return text(events, "i");
    }

    private static String output(List<JsonNode> events) {
        return text(events, "o");
    }

    private static String text(List<JsonNode> events, String code) {
        StringBuilder text = new StringBuilder();
        events.stream().filter(e -> e.get(1).asText().equals(code)).forEach(e -> text.append(e.get(2).asText()));
        return text.toString();
    }
}
