package devicetunnel.relay.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Using recordings beyond playback, through the API against a real relay and agent: searching their
 * text, watching a running session live, following an audit entry to its recording, what a
 * recording policy means for native SSH, and policies by label.
 */
@Timeout(150)
class RecordingUseIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static void setRecording(TestRelay relay, String token, String policy) throws Exception {
        HttpResponse<String> r = relay.send("PATCH", "/api/v1/devices/dev-1/features", token, Map.of("recording", policy));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static JsonNode getJson(TestRelay relay, String token, String path) throws Exception {
        HttpResponse<String> r = relay.get(path, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String q(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void searchFindsRecordingsByTheirTextWithTheMatchingLinesAndWhereTheyAre() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            relay.addUser("bob", "bobs long password", User.Role.OPERATOR, Map.of());
            String admin = relay.adminToken();
            String bob = relay.login("bob", "bobs long password");
            setRecording(relay, admin, "on");
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) {
                term.awaitSessionId(WAIT);
                term.type("printf '\\033[1;31mneedle-%s\\033[0m in red\\n' $((40+2))\r");
                term.awaitOutput(TerminalClient.hasLine("\u001b[1;31mneedle-42\u001b[0m in red"), WAIT);
                term.sendText("{\"type\":\"close\"}");
                term.awaitClose(WAIT);
            }
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) { // a second recording without it
                term.awaitSessionId(WAIT);
                term.type("echo hay-$((1+1))\r");
                term.awaitOutput(TerminalClient.hasLine("hay-2"), WAIT);
                term.sendText("{\"type\":\"close\"}");
                term.awaitClose(WAIT);
            }
            await().atMost(WAIT).until(() -> getJson(relay, admin, "/api/v1/recordings").size() == 2
                    && getJson(relay, admin, "/api/v1/recordings").findValues("endedAt").stream().noneMatch(JsonNode::isNull));

            JsonNode hits = getJson(relay, admin, "/api/v1/recordings?deviceId=dev-1&q=" + q("NEEDLE-42 in red"));
            assertThat(hits).hasSize(1);
            JsonNode hit = hits.get(0);
            assertThat(hit.get("matches").get(0).get("line").asText()).isEqualTo("needle-42 in red"); // no escapes
            assertThat(hit.get("firstMatchAt").asDouble()).isEqualTo(hit.get("matches").get(0).get("at").asDouble())
                    .isGreaterThan(0);
            assertThat(getJson(relay, admin, "/api/v1/recordings?q=" + q("hay-2")).get(0).get("id").asText())
                    .isNotEqualTo(hit.get("id").asText());
            assertThat(getJson(relay, admin, "/api/v1/recordings?q=" + q("nowhere-to-be-found"))).isEmpty();
            assertThat(getJson(relay, admin, "/api/v1/recordings?operator=nobody&q=" + q("needle"))).isEmpty();
            assertThat(getJson(relay, bob, "/api/v1/recordings?q=" + q("needle"))).as("not bob's").isEmpty();
            assertThat(relay.get("/api/v1/recordings?q=" + q("x".repeat(201)), admin).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void anAdminWatchesARunningSessionLiveUntilItEnds() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            relay.addUser("bob", "bobs long password", User.Role.OPERATOR, Map.of());
            String admin = relay.adminToken();
            String bob = relay.login("bob", "bobs long password");
            setRecording(relay, admin, "on");
            try (TerminalClient term = relay.terminal("dev-1", bob, 80, 24)) {
                String sessionId = term.awaitSessionId(WAIT);
                term.type("echo before-$((3*4))\r");
                term.awaitOutput(TerminalClient.hasLine("before-12"), WAIT);
                String id = getJson(relay, admin, "/api/v1/recordings").get(0).get("id").asText();
                assertThat(relay.get("/api/v1/recordings/" + id + "/live", bob).statusCode()).as("admins only").isEqualTo(403);

                HttpResponse<InputStream> live = relay.http().send(HttpRequest.newBuilder(
                                URI.create(relay.baseUrl() + "/api/v1/recordings/" + id + "/live"))
                        .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(live.statusCode()).isEqualTo(200);
                assertThat(live.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
                List<String> received = new CopyOnWriteArrayList<>();
                CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(live.body(), StandardCharsets.UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            received.add(line);
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                await().atMost(WAIT).until(() -> received.stream().anyMatch(l -> l.contains("before-12")));
                JsonNode header = JSON.readTree(received.get(0).substring("data: ".length()));
                assertThat(header.get("version").asInt()).isEqualTo(2);
                assertThat(header.get("devicetunnel").get("session").asText()).isEqualTo(sessionId);

                term.type("echo after-$((5*5))\r"); // printed while watched: arrives within about a second
                await().atMost(WAIT).until(() -> received.stream().anyMatch(l -> l.contains("after-25")));
                term.sendText("{\"type\":\"close\"}");
                term.awaitClose(WAIT);
                reading.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS); // the stream ends with the session
                assertThat(received).contains("event: done");
            }
            assertThat(getJson(relay, admin, "/api/v1/audit?event=recording.watched").get(0).get("actor").asText())
                    .isEqualTo(TestRelay.ADMIN);
        }
    }

    @Test
    void theSessionsAuditEntryLinksToItsRecording() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            String admin = relay.adminToken();
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) { // not recorded: no link
                term.awaitSessionId(WAIT);
            }
            setRecording(relay, admin, "on");
            String sessionId;
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) {
                sessionId = term.awaitSessionId(WAIT);
            }
            String recordingId = getJson(relay, admin, "/api/v1/recordings").get(0).get("id").asText();
            JsonNode opens = getJson(relay, admin, "/api/v1/audit?event=session.open");
            assertThat(opens).hasSize(2);
            assertThat(opens.get(0).get("sessionId").asText()).isEqualTo(sessionId);
            assertThat(opens.get(0).get("recordingId").asText()).isEqualTo(recordingId);
            assertThat(opens.get(1).get("recordingId").isNull()).isTrue();
        }
    }

    @Test
    void nativeSshIsNotRecordedSaysSoAndIsRefusedWhereRecordingIsRequired() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            String admin = relay.adminToken();
            URI ssh = relay.ws("/api/v1/devices/dev-1/ssh");
            setRecording(relay, admin, "on");
            TerminalClient.connect(ssh, admin).close();
            await().atMost(WAIT).until(() -> getJson(relay, admin, "/api/v1/audit?event=ssh.open").size() == 1);
            assertThat(getJson(relay, admin, "/api/v1/audit?event=ssh.open").get(0).get("detail").asText())
                    .isEqualTo("not recorded (native SSH is end-to-end encrypted)");

            setRecording(relay, admin, "required");
            assertThat(TerminalClient.refusedStatus(ssh, admin)).isEqualTo(403);
            JsonNode refused = getJson(relay, admin, "/api/v1/audit?event=ssh.refused").get(0);
            assertThat(refused.get("detail").asText()).startsWith("forbidden: ").contains("requires session recording")
                    .contains("end-to-end encrypted").contains("browser terminal");
        }
    }

    @Test
    void aLabelPolicyRecordsDevicesWithTheLabelAndTheStricterPolicyApplies() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withMaintenance(c.maintenance().withRecordingLabelPolicies(
                LabelPolicies.parse(List.of("env=prod:on")))))) {
            relay.onlineDevice("dev-1", Map.of("env", "lab"));
            String admin = relay.adminToken();
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) { // env=lab, device off: not recorded
                term.awaitSessionId(WAIT);
            }
            assertThat(getJson(relay, admin, "/api/v1/recordings")).isEmpty();

            HttpResponse<String> relabel = relay.send("PATCH", "/api/v1/devices/dev-1", admin, Map.of("labels", Map.of("env", "prod")));
            assertThat(relabel.statusCode()).as(relabel.body()).isEqualTo(200);
            relay.awaitOnline("dev-1", true);
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) { // env=prod: recorded, the device being off
                term.awaitSessionId(WAIT);
            }
            await().atMost(WAIT).until(() -> getJson(relay, admin, "/api/v1/recordings").size() == 1);

            setRecording(relay, admin, "required"); // the device's own policy is stricter than its label's: it applies
            assertThat(TerminalClient.refusedStatus(relay.ws("/api/v1/devices/dev-1/ssh"), admin)).isEqualTo(403);
        }
    }
}
