package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.agent.link.Enrollment;
import devicetunnel.relay.cli.RelayMain;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Devices enroll with a token, wait for acceptance, then prove themselves with their host key; revocation cuts them off. */
@Timeout(120)
class EnrollmentIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void pendingDeviceComesOnlineOnceAnAdminAcceptsIt() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            String admin = relay.adminToken();
            HttpResponse<String> created = relay.post("/api/v1/enrollments", admin,
                    "{\"reusable\":false,\"autoAccept\":false,\"expiresInSeconds\":600,\"labels\":{\"env\":\"lab\"}}");
            assertThat(created.statusCode()).isEqualTo(201);
            String enrollment = Json.MAPPER.readTree(created.body()).get("token").asText();

            relay.startAgent("dev-1", dir.resolve("agent"), relay.tokenFile(enrollment));
            await().atMost(WAIT).until(() -> pendingIds(relay, admin).contains("dev-1"));
            assertThat(relay.server().registry().isOnline("dev-1")).isFalse();
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) {
                assertThat(term.awaitControl("error", WAIT).get("error").asText()).isEqualTo("forbidden");
                assertThat(term.awaitClose(WAIT)).isEqualTo(4403);
            }

            HttpResponse<String> accepted = relay.post("/api/v1/devices/dev-1/accept", admin, "");
            assertThat(accepted.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(accepted.body()).get("status").asText()).isEqualTo("accepted");
            relay.awaitOnline("dev-1", true);
            assertThat(relay.server().devices().find("dev-1").orElseThrow().labels()).containsEntry("env", "lab");
            try (TerminalClient term = relay.terminal("dev-1", admin, 80, 24)) {
                term.awaitControl("session", WAIT);
                term.type("echo enrolled-$((1+1))\r");
                term.awaitOutput(TerminalClient.hasLine("enrolled-2"), WAIT);
            }
            assertThat(relay.server().audit().recent(100)).extracting(AuditLog.Event::event)
                    .contains("enrollment.created", "device.enrolled", "device.accepted", "device.connect.refused");
        }
    }

    @Test
    void anEnrolledAgentReconnectsWithoutTheTokenUsingOnlyItsHostKey() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            Path state = dir.resolve("agent");
            Path tokenFile = relay.tokenFile(relay.enrollmentToken(false, true, Map.of()));
            var first = relay.startAgent("dev-1", state, tokenFile);
            relay.awaitOnline("dev-1", true);
            first.close();
            relay.awaitOnline("dev-1", false);
            Files.delete(tokenFile); // the token was one-time and is gone: the host key alone must do

            relay.startAgent("dev-1", state, null);
            relay.awaitOnline("dev-1", true);
            Path record = state.resolve(Enrollment.RECORD_FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record))).isEqualTo("rw-------");
            assertThat(Files.readString(record)).contains("ssh-ed25519").doesNotContain("Bearer");
        }
    }

    @Test
    void aOneTimeTokenEnrollsOneDeviceOnly() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            String oneTime = relay.enrollmentToken(false, true, Map.of());
            relay.startAgent("dev-1", dir.resolve("a1"), relay.tokenFile(oneTime));
            relay.awaitOnline("dev-1", true);
            relay.startAgent("dev-2", dir.resolve("a2"), relay.tokenFile(oneTime));
            await().atMost(WAIT).until(() -> relay.server().audit().recent(100, "device.enroll.refused", "dev-2").size() > 0);
            assertThat(relay.server().devices().find("dev-2")).isEmpty();
        }
    }

    @Test
    void revokingADeviceCutsItsLinkAndSessionsAtOnceAndKeepsItOut() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            relay.onlineDevice("dev-2");
            String admin = relay.adminToken();
            try (TerminalClient doomed = relay.terminal("dev-1", admin, 80, 24);
                 TerminalClient bystander = relay.terminal("dev-2", admin, 80, 24)) {
                doomed.awaitControl("session", WAIT);
                bystander.awaitControl("session", WAIT);

                assertThat(relay.post("/api/v1/devices/dev-1/revoke", admin, "").statusCode()).isEqualTo(200);
                assertThat(relay.server().registry().isOnline("dev-1")).isFalse(); // cut before the answer
                assertThat(doomed.awaitControl("error", WAIT).get("error").asText()).isEqualTo("forbidden");
                assertThat(doomed.awaitClose(WAIT)).isEqualTo(4403);

                bystander.type("echo unaffected-$((3+4))\r");
                bystander.awaitOutput(TerminalClient.hasLine("unaffected-7"), WAIT);
            }
            // The agent keeps knocking (backoff) and is refused each time.
            await().atMost(WAIT).until(() -> relay.server().audit().recent(100, "device.connect.refused", "dev-1").size() > 0);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !relay.server().registry().isOnline("dev-1"));

            assertThat(relay.post("/api/v1/devices/dev-1/accept", admin, "").statusCode()).isEqualTo(200);
            relay.awaitOnline("dev-1", true);
        }
    }

    @Test
    void aRevocationWrittenStraightToTheDatabaseIsEnforcedWithinAPingInterval() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("dev-1");
            relay.server().devices().setStatus("dev-1", Device.Status.REVOKED); // what `relay-server device revoke` does
            await().atMost(Duration.ofSeconds(6)).until(() -> !relay.server().registry().isOnline("dev-1"));
        }
    }

    @Test
    void adminApiForEnrollmentsDevicesAndAuditIsForAdminsOnly() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.addUser("olga", "operator password", User.Role.OPERATOR, Map.of());
            String operator = relay.login("olga", "operator password");
            String admin = relay.adminToken();
            assertThat(relay.post("/api/v1/enrollments", operator, "{}").statusCode()).isEqualTo(403);
            assertThat(relay.get("/api/v1/enrollments", operator).statusCode()).isEqualTo(403);
            assertThat(relay.get("/api/v1/audit", operator).statusCode()).isEqualTo(403);
            assertThat(relay.post("/api/v1/devices/x/revoke", operator, "").statusCode()).isEqualTo(403);

            HttpResponse<String> created = relay.post("/api/v1/enrollments", admin, "{\"reusable\":true}");
            JsonNode token = Json.MAPPER.readTree(created.body());
            HttpResponse<String> listed = relay.get("/api/v1/enrollments", admin);
            assertThat(listed.body()).contains(token.get("id").asText()).doesNotContain(token.get("token").asText());

            HttpResponse<String> revoked = relay.send(HttpRequest.newBuilder(
                    URI.create(relay.baseUrl() + "/api/v1/enrollments/" + token.get("id").asText()))
                    .header("Authorization", "Bearer " + admin).DELETE().build());
            assertThat(revoked.statusCode()).isEqualTo(204);
            HttpResponse<String> refused = relay.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/agent/v1/enroll"))
                    .header("Authorization", "Bearer " + token.get("token").asText())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"dev-9\",\"hostKey\":\"" + hostKeyLine() + "\"}"))
                    .build());
            assertThat(refused.statusCode()).isEqualTo(401);

            JsonNode audit = Json.MAPPER.readTree(relay.get("/api/v1/audit?limit=50", admin).body());
            assertThat(audit.findValuesAsText("event")).contains("login.ok", "enrollment.created", "device.enroll.refused");
            JsonNode filtered = Json.MAPPER.readTree(relay.get("/api/v1/audit?event=login.ok", admin).body());
            assertThat(filtered.findValuesAsText("event")).containsOnly("login.ok");
        }
    }

    @Test
    void labelLimitedOperatorsSeeAndReachOnlyTheirDevices() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            relay.onlineDevice("lab-1", Map.of("env", "lab"));
            relay.onlineDevice("prod-1", Map.of("env", "prod"));
            relay.addUser("lena", "lab operator pw", User.Role.OPERATOR, Map.of("env", "lab"));
            relay.addUser("vic", "viewer password", User.Role.VIEWER, Map.of());
            String lena = relay.login("lena", "lab operator pw");
            assertThat(Json.MAPPER.readTree(relay.get("/api/v1/devices", lena).body()).findValuesAsText("id"))
                    .containsExactly("lab-1");
            // Outside her labels the device does not exist for her: the same 404 as a made-up id.
            HttpResponse<String> hidden = relay.get("/api/v1/devices/prod-1", lena);
            assertThat(hidden.statusCode()).isEqualTo(404);
            assertThat(hidden.body()).isEqualTo(relay.get("/api/v1/devices/no-such-device", lena).body());
            try (TerminalClient term = relay.terminal("prod-1", lena, 80, 24)) {
                assertThat(term.awaitControl("error", WAIT).get("error").asText()).isEqualTo("not_found");
                assertThat(term.awaitClose(WAIT)).isEqualTo(4404);
            }
            try (TerminalClient term = relay.terminal("lab-1", lena, 80, 24)) {
                term.awaitControl("session", WAIT);
            }
            String vic = relay.login("vic", "viewer password");
            assertThat(Json.MAPPER.readTree(relay.get("/api/v1/devices", vic).body()).findValuesAsText("id"))
                    .containsExactlyInAnyOrder("lab-1", "prod-1");
            try (TerminalClient term = relay.terminal("lab-1", vic, 80, 24)) {
                assertThat(term.awaitClose(WAIT)).isEqualTo(4403);
            }
        }
    }

    @Test
    void theCliCreatesAnIdempotentEnrollmentTokenThatAnAgentUses() throws Exception {
        Path state = dir.resolve("relay");
        Path tokenFile = dir.resolve("demo.token");
        String[] create = {"enroll", "create", "--state-dir", state.toString(), "--token-file", tokenFile.toString(),
                "--reusable", "--auto-accept", "--expires", "1h", "--labels", "env=demo"};
        assertThat(RelayMain.commandLine().execute(create)).isZero();
        String token = Files.readString(tokenFile).strip();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        assertThat(RelayMain.commandLine().execute(create)).isZero(); // second run: nothing changes
        assertThat(Files.readString(tokenFile).strip()).isEqualTo(token);

        try (TestRelay relay = new TestRelay(dir)) {
            assertThat(relay.server().enrollments().findBySecret(token)).hasValueSatisfying(t -> {
                assertThat(t.reusable()).isTrue();
                assertThat(t.autoAccept()).isTrue();
                assertThat(t.labels()).containsEntry("env", "demo");
            });
            relay.startAgent("demo-1", dir.resolve("agent"), tokenFile);
            relay.awaitOnline("demo-1", true);
        }
        assertThat(RelayMain.commandLine().execute("device", "revoke", "demo-1", "--state-dir", state.toString())).isZero();
        assertThat(RelayMain.commandLine().execute("device", "accept", "nope", "--state-dir", state.toString())).isEqualTo(3);
    }

    private static java.util.List<String> pendingIds(TestRelay relay, String admin) throws Exception {
        return Json.MAPPER.readTree(relay.get("/api/v1/devices?status=pending", admin).body()).findValuesAsText("id");
    }

    private static String hostKeyLine() {
        return org.apache.sshd.common.config.keys.PublicKeyEntry.toString(devicetunnel.protocol.KeyFiles.generate().getPublic());
    }
}
