package devicetunnel.relay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TestRelay;
import java.net.http.HttpResponse;
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
 * Step-up over the API against a real relay and real agents: file transfers and the native SSH
 * websocket on a device labelled {@code env=prod} need a second factor younger than the setting (not
 * on an {@code env=dev} one); a TOTP code renews it; API tokens cannot; changing passkeys asks too.
 */
@Timeout(120)
class StepUpIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "alice's long passphrase";

    @TempDir
    Path dir;
    TestRelay relay;
    byte[] secret;
    long step;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir, c -> c.withIdentity(c.identity().withMfaAttemptsPerMinute(100)
                .withStepUp("env=prod", Duration.ofMinutes(15))));
        relay.addUser(USER, PASSWORD, User.Role.OPERATOR, Map.of());
        relay.onlineDevice("prod-1", Map.of("env", "prod"));
        relay.onlineDevice("dev-1", Map.of("env", "dev"));
        String login = relay.login(USER, PASSWORD);
        JsonNode begun = Json.MAPPER.readTree(relay.send("POST", "/api/v1/account/mfa/totp", login, Map.of()).body());
        secret = TotpCodes.base32(begun.get("secret").asText());
        step = TotpCodes.stepNow();
        assertThat(relay.send("POST", "/api/v1/account/mfa/totp/confirm", login,
                Map.of("code", TotpCodes.code(secret, step))).statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    private HttpResponse<String> files(String device, String token) throws Exception {
        return relay.get("/api/v1/devices/" + device + "/files?path=/etc/hostname", token);
    }

    /** The error code of a refused native SSH upgrade (a websocket client sees the header, not the body). */
    private String nativeSshRefusal(String device, String token) throws Exception {
        try {
            relay.http().newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .buildAsync(relay.ws("/api/v1/devices/" + device + "/ssh"), new java.net.http.WebSocket.Listener() {})
                    .get(10, java.util.concurrent.TimeUnit.SECONDS).abort();
            return "opened";
        } catch (java.util.concurrent.ExecutionException e) {
            java.net.http.WebSocketHandshakeException refused = (java.net.http.WebSocketHandshakeException) e.getCause();
            assertThat(refused.getResponse().statusCode()).isEqualTo(403);
            return refused.getResponse().headers().firstValue("X-Devtunnel-Error").orElse(null);
        }
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body()).path("error").asText();
    }

    @Test
    void anOldFactorIsAskedAgainOnTheLabelledDeviceOnlyAndACodeRenewsIt() throws Exception {
        String old = relay.tokenWithFactorAge(USER, Duration.ofMinutes(20));
        HttpResponse<String> refused = files("prod-1", old);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(error(refused)).isEqualTo("step_up_required");
        assertThat(nativeSshRefusal("prod-1", old)).isEqualTo("step_up_required");
        assertThat(files("dev-1", old).statusCode()).as("env=dev asks nothing").isEqualTo(200);

        // A login whose factor is within the setting passes at once.
        assertThat(files("prod-1", relay.tokenWithFactorAge(USER, Duration.ofMinutes(10))).statusCode()).isEqualTo(200);

        HttpResponse<String> wrong = relay.send("POST", "/api/v1/auth/step-up", old, Map.of("code", "12345x"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        HttpResponse<String> renewed = relay.send("POST", "/api/v1/auth/step-up", old,
                Map.of("code", TotpCodes.code(secret, step + 1)));
        assertThat(renewed.statusCode()).as(renewed.body()).isEqualTo(200);
        assertThat(renewed.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("dt_session="));
        String fresh = Json.MAPPER.readTree(renewed.body()).get("token").asText();
        assertThat(files("prod-1", fresh).statusCode()).isEqualTo(200);
        assertThat(relay.server().audit().recent(50, "login.step_up", null).stream().map(AuditLog.Event::detail).toList())
                .containsExactly("code");
    }

    @Test
    void apiTokensAreRefusedOnLabelledDevicesAndCannotStepUp() throws Exception {
        String fresh = relay.tokenWithFactorAge(USER, Duration.ZERO);
        JsonNode created = Json.MAPPER.readTree(relay.send("POST", "/api/v1/tokens", fresh,
                Map.of("name", "ci", "scopes", List.of("sessions:open"), "expiresInSeconds", 3600)).body());
        String apiToken = created.get("token").asText();
        assertThat(error(files("prod-1", apiToken))).isEqualTo("step_up_required");
        assertThat(files("dev-1", apiToken).statusCode()).isEqualTo(200);
        assertThat(relay.send("POST", "/api/v1/auth/step-up", apiToken, Map.of("code", TotpCodes.code(secret, step + 1)))
                .statusCode()).isEqualTo(403);
    }

    @Test
    void changingPasskeysOnceAFactorExistsNeedsARecentOne() throws Exception {
        String old = relay.tokenWithFactorAge(USER, Duration.ofMinutes(20));
        HttpResponse<String> refused = relay.send("POST", "/api/v1/account/mfa/passkeys/options", old, Map.of());
        assertThat(error(refused)).isEqualTo("step_up_required");
        HttpResponse<String> options = relay.send("POST", "/api/v1/account/mfa/passkeys/options",
                relay.tokenWithFactorAge(USER, Duration.ZERO), Map.of());
        assertThat(options.statusCode()).isEqualTo(200);
        JsonNode publicKey = Json.MAPPER.readTree(options.body()).get("publicKey");
        assertThat(publicKey.get("rp").get("id").asText()).isEqualTo("127.0.0.1");
        assertThat(publicKey.get("user").get("id").asText()).hasSize(43).doesNotContain(USER);
        assertThat(publicKey.get("attestation").asText()).isEqualTo("none");
    }
}
