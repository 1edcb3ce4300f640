package devicetunnel.relay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.auth.MfaPolicy;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import devicetunnel.relay.RelayConfig;

/** TOTP second factors against a real relay, with codes computed by the test from the enrolled secret. */
@Timeout(120)
class TotpIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "alice's long passphrase";

    @TempDir
    Path dir;
    TestRelay relay;

    private void start(UnaryOperator<RelayConfig> customize) throws Exception {
        relay = new TestRelay(dir, customize);
        relay.addUser(USER, PASSWORD, User.Role.OPERATOR, Map.of());
    }

    /** Generous per-account limit, so a test that is not about the limit never meets it. */
    private void start() throws Exception {
        start(c -> c.withIdentity(c.identity().withMfaAttemptsPerMinute(100)));
    }

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            relay.close();
        }
    }

    private HttpResponse<String> password(String user, String password) throws Exception {
        return relay.send("POST", "/api/v1/auth/login", null, Map.of("username", user, "password", password));
    }

    private HttpResponse<String> secondStep(String mfaToken, String code) throws Exception {
        return relay.send("POST", "/api/v1/auth/mfa", null, Map.of("mfaToken", mfaToken, "code", code));
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    /** Enrols the logged-in user; returns the secret and the confirmation answer (recovery codes, new token). */
    private record Enrolled(byte[] secret, String base32, long confirmedStep, JsonNode answer) {}

    private Enrolled enrol(String token) throws Exception {
        HttpResponse<String> begun = relay.send("POST", "/api/v1/account/mfa/totp", token, Map.of());
        assertThat(begun.statusCode()).as(begun.body()).isEqualTo(200);
        String base32 = json(begun).get("secret").asText();
        assertThat(json(begun).get("uri").asText()).startsWith("otpauth://totp/device-tunnel:" + USER + "?secret=" + base32)
                .contains("issuer=device-tunnel").contains("period=30").contains("digits=6");
        byte[] secret = TotpCodes.base32(base32);
        long step = TotpCodes.stepNow();
        HttpResponse<String> confirmed = relay.send("POST", "/api/v1/account/mfa/totp/confirm", token,
                Map.of("code", TotpCodes.code(secret, step)));
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        return new Enrolled(secret, base32, step, json(confirmed));
    }

    @Test
    void enrolmentConfirmedByAFirstCodeMakesLoginTwoSteps() throws Exception {
        start();
        String token = relay.login(USER, PASSWORD);
        HttpResponse<String> begun = relay.send("POST", "/api/v1/account/mfa/totp", token, Map.of());
        assertThat(relay.send("POST", "/api/v1/account/mfa/totp/confirm", token, Map.of("code", "000000")).statusCode())
                .isIn(400); // (a 1-in-a-million chance that 000000 is right is accepted here)
        assertThat(begun.statusCode()).isEqualTo(200);
        Enrolled e = enrol(token);
        assertThat(e.answer().get("recoveryCodes")).hasSize(10);
        assertThat(e.answer().get("token").asText()).isNotBlank();

        HttpResponse<String> first = password(USER, PASSWORD);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).get("mfaRequired").asBoolean()).isTrue();
        assertThat(json(first).has("token")).isFalse();
        assertThat(first.headers().allValues("Set-Cookie")).isEmpty();
        String pending = json(first).get("mfaToken").asText();
        assertThat(relay.get("/api/v1/devices", pending).statusCode()).as("a pending token is no login").isEqualTo(401);

        assertThat(secondStep(pending, "123456".equals(TotpCodes.code(e.secret(), e.confirmedStep() + 1)) ? "654321" : "123456")
                .statusCode()).isEqualTo(401);
        assertThat(secondStep(pending, TotpCodes.code(e.secret(), e.confirmedStep())).statusCode())
                .as("the confirming code was used already").isEqualTo(401);
        HttpResponse<String> ok = secondStep(pending, TotpCodes.code(e.secret(), e.confirmedStep() + 1));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(relay.get("/api/v1/devices", json(ok).get("token").asText()).statusCode()).isEqualTo(200);
        assertThat(secondStep(pending, TotpCodes.code(e.secret(), e.confirmedStep() + 1)).statusCode())
                .as("replayed code").isEqualTo(401);

        assertThat(relay.server().audit().recent(100, "mfa.failed", null).stream().map(AuditLog.Event::detail).toList())
                .as("one wrong code, two replays").containsExactlyInAnyOrder("wrong code", "code already used", "code already used");
        List<String> events = relay.server().audit().recent(100).stream().map(AuditLog.Event::event).toList();
        assertThat(events).contains("mfa.totp.enrolment_started", "mfa.totp.enrolment_failed", "mfa.totp.enrolled",
                "login.password_ok", "mfa.failed", "mfa.ok");
        assertThat(relay.send("POST", "/api/v1/account/mfa/totp", token, Map.of()).statusCode())
                .as("the login from before the factor cannot change factors").isEqualTo(403);
        assertThat(relay.send("POST", "/api/v1/account/mfa/totp", e.answer().get("token").asText(), Map.of()).statusCode())
                .as("a second enrolment needs the first removed").isEqualTo(409);
    }

    @Test
    void aRecoveryCodeWorksOnceAndRemovalNeedsACode() throws Exception {
        start();
        String token = relay.login(USER, PASSWORD);
        Enrolled e = enrol(token);
        String recovery = e.answer().get("recoveryCodes").get(3).asText();

        String pending = json(password(USER, PASSWORD)).get("mfaToken").asText();
        HttpResponse<String> ok = secondStep(pending, recovery.toUpperCase());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(secondStep(pending, recovery).statusCode()).as("used up").isEqualTo(401);
        JsonNode status = json(relay.get("/api/v1/account/mfa", json(ok).get("token").asText()));
        assertThat(status.get("totp").asBoolean()).isTrue();
        assertThat(status.get("recoveryCodesLeft").asInt()).isEqualTo(9);
        assertThat(relay.server().audit().recent(50, "mfa.recovery_code_used", null)).hasSize(1);

        String full = json(ok).get("token").asText();
        assertThat(relay.send("DELETE", "/api/v1/account/mfa/totp", full, Map.of("code", "nope-nope1")).statusCode())
                .isEqualTo(401);
        assertThat(relay.send("DELETE", "/api/v1/account/mfa/totp", full,
                Map.of("code", e.answer().get("recoveryCodes").get(0).asText())).statusCode()).isEqualTo(204);
        HttpResponse<String> plain = password(USER, PASSWORD);
        assertThat(json(plain).has("token")).as("no factor, one step again").isTrue();
    }

    @Test
    void verificationIsRateLimitedPerAccount() throws Exception {
        start(c -> c.withIdentity(c.identity().withMfaAttemptsPerMinute(3)));
        Enrolled e = enrol(relay.login(USER, PASSWORD)); // one attempt
        String pending = json(password(USER, PASSWORD)).get("mfaToken").asText();
        String wrong = "123456".equals(TotpCodes.code(e.secret(), TotpCodes.stepNow() + 1)) ? "654321" : "123456";
        assertThat(secondStep(pending, wrong).statusCode()).isEqualTo(401);
        assertThat(secondStep(pending, wrong).statusCode()).isEqualTo(401);
        HttpResponse<String> limited = secondStep(pending, TotpCodes.code(e.secret(), e.confirmedStep() + 1));
        assertThat(limited.statusCode()).as("even a right code waits once the limit is reached").isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(relay.server().audit().recent(50, "mfa.rate_limited", null)).hasSize(1);
    }

    @Test
    void aRoleThatRequiresMfaGetsAnEnrolOnlyLoginUntilItEnrols() throws Exception {
        start(c -> c.withIdentity(c.identity().withMfaAttemptsPerMinute(100)
                .withRequireMfa(new MfaPolicy(Set.of(User.Role.OPERATOR)))));
        relay.onlineDevice("dev-1");
        String enrolOnly = relay.login(USER, PASSWORD);
        assertThat(relay.get("/api/v1/devices", enrolOnly).statusCode()).isEqualTo(403);
        assertThat(TerminalClient.refusedStatus(relay.ws("/api/v1/devices/dev-1/terminal"), enrolOnly)).isEqualTo(403);
        assertThat(relay.send("POST", "/api/v1/tokens", enrolOnly,
                Map.of("name", "x", "scopes", List.of("devices:read"))).statusCode()).isEqualTo(403);
        JsonNode me = json(relay.get("/api/v1/auth/me", enrolOnly));
        assertThat(me.get("mfaEnrolmentRequired").asBoolean()).isTrue();
        assertThat(json(relay.get("/api/v1/account/mfa", enrolOnly)).get("required").asBoolean()).isTrue();

        Enrolled e = enrol(enrolOnly);
        String full = e.answer().get("token").asText();
        assertThat(relay.get("/api/v1/devices", full).statusCode()).isEqualTo(200);
        assertThat(relay.get("/api/v1/devices", enrolOnly).statusCode()).as("the old login stays enrol-only").isEqualTo(403);
        assertThat(relay.send("DELETE", "/api/v1/account/mfa/totp", full,
                Map.of("code", e.answer().get("recoveryCodes").get(0).asText())).statusCode())
                .as("a required factor is not removed by its user").isEqualTo(409);
        // Admins are not in the policy here: their logins stay one step.
        assertThat(relay.get("/api/v1/devices", relay.adminToken()).statusCode()).isEqualTo(200);
    }

    @Test
    void aRelayStartedWithAnotherTotpKeyIsRefusedWhileFactorsExist() throws Exception {
        start();
        enrol(relay.login(USER, PASSWORD));
        int port = relay.stop();
        Path key = dir.resolve("relay").resolve("totp.key");
        byte[] original = Files.readAllBytes(key);
        Files.writeString(key, java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> relay.startAgain(port))
                .hasMessageContaining("sealed with another TOTP key");
        Files.write(key, original);
        relay.startAgain(port);
        assertThat(json(password(USER, PASSWORD)).get("mfaRequired").asBoolean()).isTrue();
    }

    @Test
    void secretsAndRecoveryCodesAreNotStoredInClear() throws Exception {
        start();
        Enrolled e = enrol(relay.login(USER, PASSWORD));
        List<String> needles = new ArrayList<>(List.of(e.base32(), HexFormat.of().formatHex(e.secret())));
        e.answer().get("recoveryCodes").forEach(c -> {
            needles.add(c.asText());
            needles.add(c.asText().replace("-", ""));
        });
        String rawSecret = new String(e.secret(), StandardCharsets.ISO_8859_1);
        try (Stream<Path> files = Files.walk(dir.resolve("relay"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(content).as(f.toString()).doesNotContain(rawSecret);
                for (String needle : needles) {
                    assertThat(content).as(f.toString()).doesNotContain(needle);
                }
            }
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("relay").resolve("totp.key"))))
                .isEqualTo("rw-------");
    }
}
