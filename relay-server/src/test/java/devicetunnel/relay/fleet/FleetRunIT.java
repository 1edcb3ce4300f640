package devicetunnel.relay.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.AgentProcess;
import devicetunnel.relay.support.OperatorCli;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TestRelay;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands on a fleet: 50 agents in this JVM (each a real SSH server the relay reaches over its own
 * device stream) plus two agent processes, one relay, one operator CLI.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetRunIT {
    private static final int SIMULATED = 50;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir; // static: a per-class instance gets its temp dir after @BeforeAll
    TestRelay relay;
    String admin;
    final List<AgentProcess> processes = new ArrayList<>();

    @BeforeAll
    void fleet() throws Exception {
        // 52 enrollments in a burst from one address: above the default per-address rate.
        relay = new TestRelay(dir, c -> c.withHardening(c.hardening().withRates(1000, 30)));
        for (int i = 0; i < SIMULATED; i++) {
            Map<String, String> labels = new HashMap<>(Map.of("fleet", "sim", "env", i < 10 ? "prod" : "lab"));
            if (i % 10 == 0) {
                labels.put("canary", "true");
            }
            relay.startAgent(String.format("sim-%02d", i), labels);
        }
        for (int i = 0; i < 2; i++) {
            Path state = Files.createDirectories(dir.resolve("proc-" + i));
            processes.add(AgentProcess.start(RelayProcess.LEAN, relay.baseUrl(), "proc-" + i,
                    relay.enrollmentToken(false, true, Map.of("fleet", "proc")), state));
        }
        await().atMost(WAIT).until(() -> IntStream.range(0, SIMULATED)
                .allMatch(i -> relay.server().registry().isOnline(String.format("sim-%02d", i))));
        relay.awaitOnline("proc-0", true, WAIT);
        relay.awaitOnline("proc-1", true, WAIT);
        admin = relay.adminToken();
    }

    @AfterAll
    void stop() throws Exception {
        for (AgentProcess p : processes) {
            p.close();
        }
        relay.close();
    }

    @Test
    void fiftyDevicesRunWithinTheConcurrencyLimitAndEachResultIsAudited() throws Exception {
        JsonNode run = finished(start(Map.of("selector", "fleet=sim", "concurrency", 8, "timeoutSeconds", 60,
                "command", "date +%s%N; sleep 0.3; date +%s%N")));
        JsonNode devices = run.path("devices");
        assertThat(devices).hasSize(SIMULATED);
        List<long[]> spans = new ArrayList<>();
        for (JsonNode d : devices) {
            assertThat(d.path("status").asText()).as(d.toString()).isEqualTo("succeeded");
            assertThat(d.path("exitCode").asInt()).isZero();
            String[] stamps = d.path("stdout").asText().trim().split("\n");
            spans.add(new long[] {Long.parseLong(stamps[0]), Long.parseLong(stamps[1])});
        }
        // Overlap of the commands as the devices' own clocks saw them: never more than 8 at once.
        int maxOverlap = maxOverlap(spans);
        assertThat(maxOverlap).isBetween(2, 8);
        assertThat(run.path("summary").path("maxInFlight").asInt()).isBetween(2, 8);
        assertThat(run.path("summary").path("succeeded").asBoolean()).isTrue();
        String id = run.path("summary").path("id").asText();
        List<AuditLog.Event> results = relay.server().audit().recent(1000, "run.device", null).stream()
                .filter(e -> e.detail().contains("run=" + id)).toList();
        assertThat(results).hasSize(SIMULATED);
        assertThat(relay.server().audit().recent(100, "run.start", null))
                .anyMatch(e -> e.detail().contains("run=" + id) && e.detail().contains("sleep 0.3"));
    }

    @Test
    void partialFailureStopAfterFailuresAndOfflineDevices() throws Exception {
        relay.enrollDevice("ghost-1", Map.of("fleet", "ghost"));
        Path lock = dir.resolve("lock-partial");
        List<String> targets = List.of("sim-20", "sim-21", "sim-22", "sim-23", "sim-24", "sim-25", "ghost-1");
        // The first device to run takes the lock and succeeds; every later one fails.
        JsonNode run = finished(start(Map.of("devices", targets, "concurrency", 1, "stopAfterFailures", 2,
                "command", "mkdir " + lock + " 2>/dev/null && echo took it || { echo busy >&2; exit 3; }")));
        Map<String, String> status = statuses(run);
        assertThat(status).containsEntry("ghost-1", "offline");
        assertThat(status.values()).filteredOn("succeeded"::equals).hasSize(1);
        assertThat(status.values()).filteredOn("failed"::equals).hasSize(2);
        assertThat(status.values()).filteredOn("skipped"::equals).hasSize(3);
        assertThat(run.path("summary").path("state").asText()).isEqualTo("stopped");
        assertThat(run.path("summary").path("succeeded").asBoolean()).isFalse();
        JsonNode failed = device(run, status.entrySet().stream().filter(e -> e.getValue().equals("failed")).findFirst()
                .orElseThrow().getKey());
        assertThat(failed.path("exitCode").asInt()).isEqualTo(3);
        assertThat(failed.path("stderr").asText()).isEqualTo("busy");
    }

    @Test
    void aDeviceThatOverrunsItsTimeoutIsEndedAndTheOthersStillFinish() throws Exception {
        JsonNode run = finished(start(Map.of("devices", List.of("sim-30", "sim-31", "proc-0"), "timeoutSeconds", 2,
                "command", "if [ -e " + dir.resolve("slow") + " ]; then sleep 60; fi; echo done")));
        assertThat(statuses(run).values()).containsOnly("succeeded");
        Files.createFile(dir.resolve("slow"));
        long started = System.nanoTime();
        JsonNode slow = finished(start(Map.of("devices", List.of("sim-30", "proc-0"), "timeoutSeconds", 2,
                "command", "if [ -e " + dir.resolve("slow") + " ]; then sleep 60; fi; echo done")));
        assertThat(statuses(slow)).containsOnly(Map.entry("sim-30", "timed_out"), Map.entry("proc-0", "timed_out"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(device(slow, "sim-30").path("durationMs").asLong()).isBetween(1_900L, 15_000L);
    }

    @Test
    void cancellingEndsRunningCommandsAndStartsNoMore() throws Exception {
        JsonNode started = start(Map.of("selector", "env=lab", "concurrency", 2, "command", "sleep 60"));
        String id = started.path("summary").path("id").asText();
        await().atMost(WAIT).until(() -> statuses(get(id)).values().stream().filter("running"::equals).count() == 2);
        HttpResponse<String> cancel = relay.send("DELETE", "/api/v1/runs/" + id, admin, Map.of());
        assertThat(cancel.statusCode()).isEqualTo(200);
        JsonNode run = finished(started);
        assertThat(run.path("summary").path("state").asText()).isEqualTo("cancelled");
        assertThat(statuses(run).values()).containsOnly("cancelled");
        assertThat(relay.server().audit().recent(50, "run.cancel", null)).anyMatch(e -> e.detail().contains(id));
    }

    @Test
    void operatorsReachOnlyTheirLabelScopeAndTheExecSwitchIsHonoured() throws Exception {
        relay.addUser("prod-op", "prod operator pw", User.Role.OPERATOR, Map.of("env", "prod"));
        relay.addUser("watcher", "watcher pw 12345", User.Role.VIEWER, Map.of());
        String op = relay.login("prod-op", "prod operator pw");
        assertThat(relay.send("PATCH", "/api/v1/devices/sim-01/features", admin, Map.of("exec", false)).statusCode())
                .isEqualTo(200);
        try {
            JsonNode dry = Json.MAPPER.readTree(relay.send("POST", "/api/v1/runs", op,
                    Map.of("selector", "fleet=sim,!canary", "command", "true", "dryRun", true)).body());
            Map<String, String> planned = new HashMap<>();
            dry.path("devices").forEach(d -> planned.put(d.path("device").asText(), d.path("status").asText()));
            // env=prod is sim-00..09; !canary drops sim-00; exec is off on sim-01.
            assertThat(planned).hasSize(9).containsEntry("sim-01", "refused").doesNotContainKey("sim-00");
            assertThat(planned.values()).filteredOn("would_run"::equals).hasSize(8);

            JsonNode run = finished(Json.MAPPER.readTree(relay.send("POST", "/api/v1/runs", op,
                    Map.of("devices", List.of("sim-02", "sim-40", "no-such"), "command", "true")).body()), op);
            assertThat(statuses(run)).containsOnly(Map.entry("sim-02", "succeeded"), Map.entry("sim-40", "not_found"),
                    Map.entry("no-such", "not_found"));
            String id = run.path("summary").path("id").asText();
            assertThat(relay.get("/api/v1/runs/" + id, relay.login("watcher", "watcher pw 12345")).statusCode()).isEqualTo(404);
            assertThat(relay.send("POST", "/api/v1/runs", relay.login("watcher", "watcher pw 12345"),
                    Map.of("selector", "fleet=sim", "command", "true")).statusCode()).isEqualTo(403);
        } finally {
            relay.send("PATCH", "/api/v1/devices/sim-01/features", admin, Map.of("exec", true));
        }
    }

    @Test
    void fullOutputIsDownloadableAndBoundedWithAMarker() throws Exception {
        JsonNode run = finished(start(Map.of("devices", List.of("sim-45"), "command", "seq 1 50000")));
        JsonNode d = device(run, "sim-45");
        assertThat(d.path("stdout").asText()).endsWith("49999\n50000");
        assertThat(d.path("truncated").asBoolean()).isTrue();
        String full = relay.get("/api/v1/runs/" + run.path("summary").path("id").asText()
                + "/devices/sim-45/output?stream=stdout", admin).body();
        assertThat(full).startsWith("1\n2\n3\n").contains("bytes of output dropped here").endsWith("50000\n");
        assertThat(full.length()).isLessThan(FleetRuns.HEAD_BYTES + OutputCapture.TAIL_BYTES + 500);
    }

    @Test
    void cliPrintsOneJsonLinePerDeviceThenASummaryAndExitsNonZeroUnlessAllSucceeded() throws Exception {
        OperatorCli cli = new OperatorCli(dir.resolve("cli"));
        cli.login(relay.baseUrl(), TestRelay.ADMIN, TestRelay.PASSWORD);
        OperatorCli.Result ok = cli.devtunnelOutput("run", "--selector", "fleet=proc", "--json", "--concurrency", "2",
                "--timeout", "30s", "--", "echo", "hello from", "$(hostname)");
        assertThat(ok.exitCode()).as(ok.stderr()).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : ok.stdout().trim().split("\n")) {
            lines.add(Json.MAPPER.readTree(line));
        }
        assertThat(lines).hasSize(3);
        for (JsonNode device : lines.subList(0, 2)) {
            assertThat(device.path("device").asText()).startsWith("proc-");
            assertThat(device.path("status").asText()).isEqualTo("succeeded");
            assertThat(device.path("exitCode").asInt()).isZero();
            assertThat(device.path("durationMs").isNumber()).isTrue();
            assertThat(device.path("stdout").asText()).startsWith("hello from ");
            assertThat(device.has("stderr")).isTrue();
        }
        assertThat(lines.get(2).path("summary").asBoolean()).isTrue();
        assertThat(lines.get(2).path("succeeded").asBoolean()).isTrue();

        relay.enrollDevice("ghost-2", Map.of("fleet", "proc"));
        OperatorCli.Result partial = cli.devtunnelOutput("run", "--selector", "fleet=proc", "--json", "--", "true");
        assertThat(partial.exitCode()).isEqualTo(5);
        assertThat(partial.stdout()).contains("\"device\":\"ghost-2\",\"status\":\"offline\"");
    }

    private int maxOverlap(List<long[]> spans) {
        int max = 0;
        for (long[] s : spans) {
            int overlapping = (int) spans.stream().filter(o -> o[0] <= s[0] && s[0] < o[1]).count();
            max = Math.max(max, overlapping);
        }
        return max;
    }

    private JsonNode start(Map<String, Object> body) throws Exception {
        HttpResponse<String> response = relay.send("POST", "/api/v1/runs", admin, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Json.MAPPER.readTree(response.body());
    }

    private JsonNode get(String id) throws Exception {
        return Json.MAPPER.readTree(relay.get("/api/v1/runs/" + id, admin).body());
    }

    private JsonNode finished(JsonNode started) throws Exception {
        return finished(started, admin);
    }

    /** Follows the run's event stream to its summary, then reads the whole run. */
    private JsonNode finished(JsonNode started, String token) throws Exception {
        String id = started.path("summary").path("id").asText();
        HttpResponse<String> events = relay.get("/api/v1/runs/" + id + "/events", token);
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.body()).contains("event: summary");
        return Json.MAPPER.readTree(relay.get("/api/v1/runs/" + id, token).body());
    }

    private static Map<String, String> statuses(JsonNode run) {
        Map<String, String> out = new HashMap<>();
        run.path("devices").forEach(d -> out.put(d.path("device").asText(), d.path("status").asText()));
        return out;
    }

    private static JsonNode device(JsonNode run, String id) {
        for (JsonNode d : run.path("devices")) {
            if (d.path("device").asText().equals(id)) {
                return d;
            }
        }
        throw new AssertionError("no device " + id + " in " + run);
    }
}
