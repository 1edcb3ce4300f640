package devicetunnel.relay.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Browser terminal sessions recorded at the relay as asciicast v2, listed and played back through the API. */
@Timeout(120)
class RecordingIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static void setRecording(TestRelay relay, String token, String policy) throws Exception {
        HttpResponse<String> r = relay.send("PATCH", "/api/v1/devices/dev-1/features", token, Map.of("recording", policy));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("recording").asText()).isEqualTo(policy);
    }

    private static JsonNode recordings(TestRelay relay, String token, String query) throws Exception {
        HttpResponse<String> r = relay.get("/api/v1/recordings" + query, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void aRecordedSessionIsListedAndPlaysBackWithItsOutputAndResizes() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            String admin = relay.adminToken();
            setRecording(relay, admin, "on");
            String sessionId;
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) {
                sessionId = term.awaitSessionId(WAIT);
                term.type("echo rec-$((6*7))\r");
                term.awaitOutput(out -> out.contains("rec-42"), WAIT);
                term.resize(132, 43);
                term.type("echo after-$((5*5))\r");
                term.awaitOutput(out -> out.contains("after-25"), WAIT);
                term.sendText("{\"type\":\"close\"}");
                term.awaitClose(WAIT);
            }
            await().atMost(WAIT).until(() -> !recordings(relay, admin, "?deviceId=dev-1").get(0).get("endedAt").isNull());
            JsonNode listed = recordings(relay, admin, "?deviceId=dev-1").get(0);
            assertThat(listed.get("sessionId").asText()).isEqualTo(sessionId);
            assertThat(listed.get("operator").asText()).isEqualTo(TestRelay.ADMIN);
            assertThat(listed.get("bytes").asLong()).isPositive();

            HttpResponse<String> cast = relay.get("/api/v1/recordings/" + listed.get("id").asText() + "/cast", admin);
            assertThat(cast.statusCode()).isEqualTo(200);
            assertThat(cast.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-asciicast");
            List<String> lines = cast.body().lines().toList();
            JsonNode header = JSON.readTree(lines.get(0));
            assertThat(header.get("version").asInt()).isEqualTo(2);
            assertThat(header.get("width").asInt()).isEqualTo(80);
            assertThat(header.get("height").asInt()).isEqualTo(24);
            assertThat(header.get("devicetunnel").get("session").asText()).isEqualTo(sessionId);
            StringBuilder output = new StringBuilder();
            boolean resized = false;
            double last = 0;
            for (String line : lines.subList(1, lines.size())) {
                JsonNode event = JSON.readTree(line);
                assertThat(event.get(0).asDouble()).as("event times never go back").isGreaterThanOrEqualTo(last);
                last = event.get(0).asDouble();
                if (event.get(1).asText().equals("o")) {
                    output.append(event.get(2).asText());
                } else if (event.get(1).asText().equals("r")) {
                    resized |= event.get(2).asText().equals("132x43");
                }
            }
            assertThat(output.toString()).contains("rec-42").contains("after-25");
            assertThat(resized).isTrue();

            HttpResponse<String> audit = relay.get("/api/v1/audit?event=recording.viewed", admin);
            assertThat(audit.body()).contains(sessionId);
        }
    }

    @Test
    void operatorsSeeTheirOwnRecordingsOnlyAndAnUnrecordedDeviceLeavesNone() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            relay.addUser("bob", "bobs long password", User.Role.OPERATOR, Map.of());
            String admin = relay.adminToken();
            String bob = relay.login("bob", "bobs long password");
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) { // recording is off by default
                term.awaitSessionId(WAIT);
            }
            assertThat(recordings(relay, admin, "")).isEmpty();

            setRecording(relay, admin, "on");
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) {
                term.awaitSessionId(WAIT);
            }
            await().atMost(WAIT).until(() -> recordings(relay, admin, "").size() == 1);
            String id = recordings(relay, admin, "").get(0).get("id").asText();
            assertThat(recordings(relay, bob, "")).isEmpty();
            assertThat(relay.get("/api/v1/recordings?operator=admin", bob).statusCode()).isEqualTo(403);
            assertThat(relay.get("/api/v1/recordings/" + id + "/cast", bob).statusCode()).isEqualTo(404);
            assertThat(relay.get("/api/v1/recordings?from=yesterday", admin).statusCode()).isEqualTo(400);
            assertThat(relay.send("PATCH", "/api/v1/devices/dev-1/features", admin, Map.of("recording", "sometimes"))
                    .statusCode()).isEqualTo(400);
        }
    }

    @Test
    void aDeviceThatRequiresRecordingGetsNoSessionWhenTheRecordingCannotBeWritten() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("occupied"), "a file where the directory should be");
        try (TestRelay relay = new TestRelay(dir.resolve("relay"), c -> c.withMaintenance(
                c.maintenance().withRecordings(notADirectory.resolve("recordings"), Duration.ZERO)))) {
            relay.onlineDevice("dev-1");
            String admin = relay.adminToken();
            setRecording(relay, admin, "on");
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) { // "on": the session goes on
                term.awaitSessionId(WAIT);
                term.type("echo still-$((2*2))\r");
                term.awaitOutput(out -> out.contains("still-4"), WAIT);
            }
            setRecording(relay, admin, "required");
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) {
                JsonNode error = term.awaitControl("error", WAIT);
                assertThat(error.get("error").asText()).isEqualTo("recording_failed");
                assertThat(term.awaitClose(WAIT)).isEqualTo(4503);
            }
            assertThat(relay.get("/api/v1/audit?event=recording.failed", admin).body()).contains("required");
        }
    }
}
