package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.recording.InputRecording;
import devicetunnel.relay.recording.LabelPolicies;
import devicetunnel.relay.support.Browser;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Recordings in a real browser beyond playing one: searching their text and playing from a match
 * (with the player loaded only then), following an audit entry to its recording, watching a
 * running session live, jumping to the next input of a recording that keeps keystrokes, and the
 * effective policy a device's labels give it. Screenshots under {@code relay-server/target/screenshots/}.
 */
@Timeout(150)
class RecordingConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final Browser browser = Browser.perTestClass();

    @TempDir
    Path dir;
    TestRelay relay;

    @BeforeEach
    void start() throws Exception {
        // Devices labelled env=prod: recording required, keystrokes kept (dev-1 has neither label).
        relay = new TestRelay(dir, c -> c.withMaintenance(c.maintenance()
                .withRecordingLabelPolicies(LabelPolicies.parse(List.of("env=prod:required")))
                .withRecordingInput(InputRecording.parse(List.of("label:env=prod")))));
        relay.onlineDevice("dev-1");
        assertThat(relay.send("PATCH", "/api/v1/devices/dev-1/features", relay.adminToken(), Map.of("recording", "on"))
                .statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void aSearchFindsTheTextAndPlaysFromItAndAnAuditEntryPlaysItsRecording() throws Exception {
        try (TerminalClient term = relay.terminal("dev-1", relay.adminToken(), 80, 24)) {
            term.awaitSessionId(WAIT);
            term.type("sleep 2; printf 'needle-%s\\n' $((40+2))\r");
            term.awaitOutput(TerminalClient.hasLine("needle-42"), WAIT);
            term.sendText("{\"type\":\"close\"}");
            term.awaitClose(WAIT);
        }
        browser.await("the recording finished", d -> recordingsEnded());
        browser.loginAt(relay.baseUrl(), TestRelay.ADMIN, TestRelay.PASSWORD);
        assertThat(playerChunkLoaded()).as("the player is not part of the first page load").isFalse();

        browser.openView("recordings");
        browser.find("#recording-filter input[name='q']").sendKeys("NEEDLE-42", Keys.ENTER);
        WebElement jump = browser.await("the match listed", d -> browser
                .findOptional("#recordings tr[data-recording-id] button[data-action='play-match']").orElse(null));
        assertThat(browser.find("#recordings tr[data-recording-id] code").getText()).isEqualTo("needle-42");
        assertThat(browser.axeViolations()).as("axe on the search results").isEmpty();
        jump.click();
        browser.await("the player to reach the end", WAIT, d -> browser.findOptional("#player[data-state='ended']").orElse(null));
        assertThat(browser.find("#player").getText()).contains("needle-42");
        assertThat(Double.parseDouble(browser.find("#player").getAttribute("data-start-at"))).as("played from the match")
                .isGreaterThan(0.5);
        assertThat(playerChunkLoaded()).isTrue();
        browser.shot("recording-search-played");

        browser.openView("audit");
        browser.find("#audit-filter input[name='event']").sendKeys("session.open", Keys.ENTER);
        browser.awaitText("#audit .view-status", "1 event on page 1.");
        browser.find("#audit tbody tr button[data-action='play-recording']").click();
        browser.awaitTitle("Recordings · device-tunnel");
        browser.await("the linked recording to play to its end", WAIT,
                d -> browser.findOptional("#player[data-state='ended']").orElse(null));
        assertThat(browser.find("#player").getText()).contains("needle-42");
    }

    @Test
    void anAdminWatchesARunningSessionLive() throws Exception {
        try (TerminalClient term = relay.terminal("dev-1", relay.adminToken(), 80, 24)) {
            term.awaitSessionId(WAIT);
            term.type("echo before-$((3*4))\r");
            term.awaitOutput(TerminalClient.hasLine("before-12"), WAIT);
            browser.loginAt(relay.baseUrl(), TestRelay.ADMIN, TestRelay.PASSWORD);
            browser.openView("recordings");
            WebElement watch = browser.await("the running recording listed", d -> browser
                    .findOptional("#recordings tr[data-recording-id] button[data-action='watch-live']").orElse(null));
            watch.click();
            browser.await("what was printed before joining", WAIT,
                    d -> browser.find("#player").getText().contains("before-12") ? true : null);
            term.type("echo after-$((5*5))\r");
            browser.await("what is printed while watching", WAIT,
                    d -> browser.find("#player").getText().contains("after-25") ? true : null);
            browser.shot("recording-live");
            term.sendText("{\"type\":\"close\"}");
            term.awaitClose(WAIT);
            browser.await("the live stream to end with the session", WAIT,
                    d -> browser.findOptional("#player[data-state='ended']").orElse(null));
        }
        assertThat(relay.server().audit().recent(20, "recording.watched", "dev-1")).isNotEmpty();
    }

    @Test
    void theConsoleShowsWhatALabelRaisesAndThePlayerJumpsFromInputToInput() throws Exception {
        relay.onlineDevice("prod-1", Map.of("env", "prod"));
        try (TerminalClient term = relay.terminal("prod-1", relay.adminToken(), 80, 24)) {
            term.awaitSessionId(WAIT);
            term.type("echo first-$((1+1)); sleep 4; echo waited-$((2+2))\r");
            term.awaitOutput(TerminalClient.hasLine("waited-4"), WAIT);
            term.type("echo second-$((1+2))\r"); // four seconds after the first: a burst of its own
            term.awaitOutput(TerminalClient.hasLine("second-3"), WAIT);
            term.sendText("{\"type\":\"close\"}");
            term.awaitClose(WAIT);
        }
        browser.loginAt(relay.baseUrl(), TestRelay.ADMIN, TestRelay.PASSWORD);
        browser.openView("devices-admin");
        assertThat(browser.awaitText("#devices-admin tr[data-device-id='prod-1'] .effective-recording", "Effective"))
                .isEqualTo("Effective: required, raised from off by env=prod:required; keystrokes recorded for label:env=prod");
        assertThat(browser.find("#devices-admin tr[data-device-id='dev-1'] .effective-recording").getText())
                .isEqualTo("Effective: on; keystrokes not recorded");

        List<Double> starts = await().atMost(WAIT).until(() -> inputStarts("prod-1"), s -> s.size() >= 2);
        browser.openView("recordings");
        browser.find("#recording-filter input[name='deviceId']").sendKeys("prod-1", Keys.ENTER);
        browser.await("the recording listed", d -> browser
                .findOptional("#recordings tr[data-recording-id] button[data-action='play']").orElse(null)).click();
        for (double start : starts.subList(0, 2)) {
            browser.find("button[data-action='next-input']").click();
            browser.await("playing from the input at " + start + " s", d -> browser.findOptional("#player[data-start-at]")
                    .filter(p -> Math.abs(Double.parseDouble(p.getAttribute("data-start-at")) - start) < 1e-6).orElse(null));
        }
        browser.await("the player to reach the end", WAIT, d -> browser.findOptional("#player[data-state='ended']").orElse(null));
        assertThat(browser.find("#player").getText()).contains("second-3");
        browser.shot("next-input");
    }

    /** Where each burst of typing starts in prod-1's recording, by the console's rule (a second without input between). */
    private List<Double> inputStarts(String device) throws Exception {
        JsonNode list = Json.MAPPER.readTree(relay.get("/api/v1/recordings?deviceId=" + device, relay.adminToken()).body());
        if (list.isEmpty() || list.get(0).get("endedAt").isNull()) {
            return List.of();
        }
        String cast = relay.get("/api/v1/recordings/" + list.get(0).get("id").asText() + "/cast", relay.adminToken()).body();
        List<Double> starts = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (String line : cast.lines().skip(1).toList()) {
            JsonNode event = Json.MAPPER.readTree(line);
            if (event.get(1).asText().equals("i")) {
                double t = event.get(0).asDouble();
                if (t - last >= 1) {
                    starts.add(t);
                }
                last = t;
            }
        }
        return starts;
    }

    private Boolean recordingsEnded() {
        try {
            JsonNode list = Json.MAPPER.readTree(relay.get("/api/v1/recordings?deviceId=dev-1", relay.adminToken()).body());
            return list.size() == 1 && !list.get(0).get("endedAt").isNull() ? true : null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the page has fetched the player's code (a chunk loaded on demand). */
    private boolean playerChunkLoaded() {
        return (Boolean) ((JavascriptExecutor) browser.driver()).executeScript(
                "return performance.getEntriesByType('resource').some(e => e.name.includes('/chunks/'))");
    }
}
