package devicetunnel.relay.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.agent.Agent;
import devicetunnel.agent.facts.FactsCollector;
import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.DeviceFacts;
import devicetunnel.protocol.Protocol;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.RawAgentLink;
import devicetunnel.relay.support.TestRelay;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Device inventory: real agents report facts, the relay stores and shows them, refuses bad ones, counts versions. */
@Timeout(120)
class InventoryIT {
    @TempDir
    Path dir;

    private TestRelay relay() throws Exception {
        return new TestRelay(dir, c -> c.withFactsInterval(Duration.ofSeconds(1)));
    }

    @Test
    void aRealAgentsFactsArriveAndShowInTheDeviceViews() throws Exception {
        try (TestRelay relay = relay()) {
            relay.onlineDevice("pump-1");
            String token = relay.adminToken();
            JsonNode facts = await().atMost(Duration.ofSeconds(15))
                    .until(() -> device(relay, token, "pump-1").get("facts"), f -> f != null && !f.isNull());
            assertThat(facts.get("agentVersion").asText()).isEqualTo(Agent.VERSION);
            assertThat(facts.get("kernel").asText()).isEqualTo(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
            assertThat(facts.get("hostname").asText()).isEqualTo(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim());
            assertThat(facts.get("architecture").asText()).isIn("x86_64", "aarch64");
            assertThat(facts.get("cpuCount").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(facts.get("memoryTotal").asLong()).isPositive();
            assertThat(facts.get("bootTime").asLong()).isBetween(1L, System.currentTimeMillis() / 1000);
            assertThat(facts.get("os").asText()).isNotBlank();
            assertThat(facts.get("ipAddresses").isArray()).isTrue();
            assertThat(device(relay, token, "pump-1").get("factsAt").isNull()).isFalse();
            JsonNode listed = Json.MAPPER.readTree(relay.get("/api/v1/devices", token).body()).get(0);
            assertThat(listed.get("facts")).isEqualTo(facts);
        }
    }

    @Test
    void aChangeIsSentAgainAtTheNextCheckOnTheSameLink() throws Exception {
        try (TestRelay relay = relay()) {
            AtomicReference<String> hostname = new AtomicReference<>("before");
            FactsCollector real = new FactsCollector(Agent.VERSION);
            Path state = relay.dir().resolve("agent-changing");
            try (Agent agent = new Agent(TestRelay.agentConfig(relay.baseUrl(), "changing",
                    relay.tokenFile(relay.enrollmentToken(false, true, Map.of())), state, null, false),
                    () -> withHostname(real.get(), hostname.get())).start()) {
                relay.awaitOnline("changing", true);
                String token = relay.adminToken();
                await().atMost(Duration.ofSeconds(15)).until(() -> hostnameOf(relay, token, "changing"), "before"::equals);
                var link = relay.server().registry().link("changing").orElseThrow();
                hostname.set("after");
                await().atMost(Duration.ofSeconds(15)).until(() -> hostnameOf(relay, token, "changing"), "after"::equals);
                assertThat(relay.server().registry().link("changing")).contains(link); // no reconnect needed
            }
        }
    }

    @Test
    void garbageOversizedAndUnknownMessagesAreRefusedWithoutDroppingTheLink() throws Exception {
        try (TestRelay relay = relay()) {
            KeyPair key = relay.enrollDevice("raw", Map.of());
            try (RawAgentLink link = RawAgentLink.open(relay, "raw", key)) {
                link.send(ControlCodec.encode(new ControlMessage.Hello(Protocol.VERSION, "0.0.9",
                        PublicKeyEntry.toString(key.getPublic()))));
                await().atMost(Duration.ofSeconds(10)).until(() -> link.count("\"type\":\"welcome\"") == 1);
                assertThat(link.received.get(0)).contains("\"factsIntervalMillis\":1000");
                List<String> bad = List.of("\"not an object\"", "{\"cpuCount\":\"lots\"}",
                        "{\"os\":\"" + "x".repeat(DeviceFacts.MAX_TEXT + 1) + "\"}",
                        "{\"pad\":\"" + "x".repeat(DeviceFacts.MAX_JSON_CHARS) + "\"}");
                for (String facts : bad) {
                    link.send("{\"type\":\"facts\",\"facts\":" + facts + "}");
                }
                link.send("{\"type\":\"from-a-newer-agent\",\"x\":1}");
                await().atMost(Duration.ofSeconds(10)).until(() -> link.count("\"type\":\"error\"") == bad.size());
                link.send(ControlCodec.encode(new ControlMessage.Facts(ControlCodec.tree(
                        new DeviceFacts("Raw OS", null, "riscv64", "raw", "0.0.9", null, List.of(), 1, null)))));
                String token = relay.adminToken();
                await().atMost(Duration.ofSeconds(10)).until(() -> device(relay, token, "raw").path("facts").path("os").asText(),
                        "Raw OS"::equals);
                assertThat(link.closeCode).isNotDone();
                assertThat(relay.server().registry().isOnline("raw")).isTrue();
                assertThat(link.count("payload_too_large")).isEqualTo(1);
                assertThat(link.count("\"type\":\"error\"")).isEqualTo(bad.size()); // the unknown type got none
            }
        }
    }

    @Test
    void agentVersionsCountDevicesPerVersionForAdminsOnly() throws Exception {
        try (TestRelay relay = relay()) {
            relay.onlineDevice("new-1");
            relay.onlineDevice("new-2");
            KeyPair old = relay.enrollDevice("old-1", Map.of());
            relay.enrollDevice("never-seen", Map.of());
            try (RawAgentLink link = RawAgentLink.open(relay, "old-1", old)) {
                link.send(ControlCodec.encode(new ControlMessage.Hello(Protocol.VERSION, "0.0.9",
                        PublicKeyEntry.toString(old.getPublic()))));
                await().atMost(Duration.ofSeconds(10)).until(() -> link.count("welcome") == 1);
                link.send(ControlCodec.encode(new ControlMessage.Facts(ControlCodec.tree(
                        new DeviceFacts(null, null, null, null, "0.0.9", null, null, null, null)))));
                String token = relay.adminToken();
                Map<String, Long> expected = new HashMap<>();
                expected.put(Agent.VERSION, 2L);
                expected.put("0.0.9", 1L);
                expected.put(null, 1L);
                await().atMost(Duration.ofSeconds(15)).until(() -> versions(relay, token), expected::equals);
                JsonNode first = Json.MAPPER.readTree(relay.get("/api/v1/devices/agent-versions", token).body()).get(0);
                assertThat(first.get("agentVersion").asText()).isEqualTo(Agent.VERSION); // most devices first
            }
            relay.addUser("op", "operator password 1", User.Role.OPERATOR, Map.of());
            assertThat(relay.get("/api/v1/devices/agent-versions", relay.login("op", "operator password 1")).statusCode())
                    .isEqualTo(403);
        }
    }

    private static DeviceFacts withHostname(DeviceFacts f, String hostname) {
        return new DeviceFacts(f.os(), f.kernel(), f.architecture(), hostname, f.agentVersion(), f.bootTime(),
                f.ipAddresses(), f.cpuCount(), f.memoryTotal());
    }

    private static String hostnameOf(TestRelay relay, String token, String id) throws Exception {
        return device(relay, token, id).path("facts").path("hostname").asText(null);
    }

    private static JsonNode device(TestRelay relay, String token, String id) throws Exception {
        HttpResponse<String> response = relay.get("/api/v1/devices/" + id, token);
        assertThat(response.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    private static Map<String, Long> versions(TestRelay relay, String token) throws Exception {
        HttpResponse<String> response = relay.get("/api/v1/devices/agent-versions", token);
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Long> counts = new HashMap<>();
        for (JsonNode row : Json.MAPPER.readTree(response.body())) {
            counts.put(row.get("agentVersion").isNull() ? null : row.get("agentVersion").asText(), row.get("devices").asLong());
        }
        return counts;
    }
}
