package devicetunnel.relay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.support.SsoClient;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Step-up for single sign-on accounts against a real provider (mock-oauth2-server) and real agents:
 * an SSO login's factor is as old as the provider's authentication ({@code auth_time}); on a device
 * labelled {@code tier=prod} an old one is asked again, and a fresh sign-in at the provider
 * ({@code prompt=login}, {@code max_age=0}) or the account's own authenticator app renews it. A
 * provider that reuses its session instead renews nothing.
 */
@Timeout(120)
class SsoStepUpIT extends WithSsoRelay {
    private static final List<String> OPS = List.of("dt-ops");

    final SsoClient browser = new SsoClient();

    @BeforeEach
    void startRelay() throws Exception {
        start(c -> c.withOidc(idp.settings()).withIdentity(c.identity().withMfaAttemptsPerMinute(100)
                .withStepUp("tier=prod", Duration.ofMinutes(15))));
        relay.onlineDevice("prod-1", Map.of("env", "lab", "tier", "prod"));
        relay.onlineDevice("lab-1", Map.of("env", "lab"));
    }

    @Test
    void anOldProviderSignInIsAskedAgainOnTheLabelledDeviceAndAFreshOneThereRenewsIt() throws Exception {
        idp.nextUser("sub-olga", "olga", OPS, Instant.now().minus(Duration.ofMinutes(20)));
        assertThat(browser.signIn(relay.baseUrl()).statusCode()).isEqualTo(302);
        String old = session();
        assertThat(error(files("prod-1", old))).isEqualTo("step_up_required");
        assertThat(files("lab-1", old).statusCode()).as("no step-up off the label").isEqualTo(200);
        JsonNode me = Json.MAPPER.readTree(relay.get("/api/v1/auth/me", old).body());
        assertThat(me.path("sso").asBoolean()).as("the console offers the provider for step-up").isTrue();

        // A provider that reuses its session despite prompt=login (an old auth_time) renews nothing.
        idp.nextUser("sub-olga", "olga", OPS, Instant.now().minus(Duration.ofMinutes(20)));
        HttpResponse<String> stale = browser.get(signInAgain(stepUpAtProvider(), Instant.now().minus(Duration.ofMinutes(20))));
        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(401);
        assertThat(session()).isEqualTo(old);
        assertThat(audit("login.sso_failed")).anyMatch(d -> d.contains("did not ask you to sign in again"));

        // The provider shows its login page again; the user signs in there afresh.
        idp.nextUser("sub-olga", "olga", OPS, Instant.now());
        assertThat(browser.get(signInAgain(stepUpAtProvider(), Instant.now())).statusCode()).isEqualTo(302);
        String fresh = session();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(files("prod-1", fresh).statusCode()).isEqualTo(200);
        assertThat(audit("login.step_up")).containsExactly("single sign-on");
    }

    @Test
    void aStepUpSignInMustSayWhenTheUserAuthenticated() throws Exception {
        // Without auth_time an ordinary sign-in counts from its own time...
        idp.nextUser("sub-olga", "olga", OPS);
        browser.signIn(relay.baseUrl());
        assertThat(files("prod-1", session()).statusCode()).isEqualTo(200);
        // ...but a step-up cannot tell a fresh authentication from a reused session, so it is refused.
        idp.nextUser("sub-olga", "olga", OPS);
        assertThat(browser.get(signInAgain(stepUpAtProvider(), null)).statusCode()).isEqualTo(401);
        assertThat(audit("login.sso_failed")).anyMatch(d -> d.contains("auth_time"));
    }

    @Test
    void anSsoAccountMayStepUpWithItsOwnAuthenticatorApp() throws Exception {
        idp.nextUser("sub-olga", "olga", OPS, Instant.now().minus(Duration.ofMinutes(20)));
        browser.signIn(relay.baseUrl());
        String login = session();
        JsonNode begun = Json.MAPPER.readTree(relay.send("POST", "/api/v1/account/mfa/totp", login, Map.of()).body());
        byte[] secret = TotpCodes.base32(begun.get("secret").asText());
        long step = TotpCodes.stepNow();
        assertThat(relay.send("POST", "/api/v1/account/mfa/totp/confirm", login,
                Map.of("code", TotpCodes.code(secret, step))).statusCode()).isEqualTo(200);

        HttpResponse<String> renewed = relay.send("POST", "/api/v1/auth/step-up", login,
                Map.of("code", TotpCodes.code(secret, step + 1)));
        assertThat(renewed.statusCode()).as(renewed.body()).isEqualTo(200);
        assertThat(files("prod-1", Json.MAPPER.readTree(renewed.body()).get("token").asText()).statusCode()).isEqualTo(200);
        assertThat(audit("login.step_up")).containsExactly("code");
    }

    @Test
    void theCliTokenCarriesTheProviderSignInTimeAndStepUpRenewsIt() throws Exception {
        idp.nextUser("sub-olga", "olga", OPS, Instant.now().minus(Duration.ofMinutes(20)));
        assertThat(error(files("prod-1", cliSignIn(false)))).isEqualTo("step_up_required");

        idp.nextUser("sub-olga", "olga", OPS, Instant.now());
        assertThat(files("prod-1", cliSignIn(true)).statusCode()).isEqualTo(200);
    }

    /** {@code devtunnel login --sso [--step-up]} over HTTP: the relay token the CLI would keep. */
    private String cliSignIn(boolean stepUp) throws Exception {
        String verifier = "v".repeat(43);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        URI providerUrl = SsoClient.location(browser.get(URI.create(relay.baseUrl()
                + "/api/v1/auth/oidc/start?cli_port=40000&cli_challenge=" + challenge + (stepUp ? "&step_up=1" : ""))));
        URI loopback = SsoClient.location(browser.get(stepUp ? signInAgain(providerUrl, Instant.now())
                : browser.authorize(providerUrl)));
        String code = URLDecoder.decode(SsoClient.param(loopback, "code"), StandardCharsets.UTF_8);
        HttpResponse<String> token = relay.send("POST", "/api/v1/auth/oidc/cli-token", null, Map.of("code", code, "verifier", verifier));
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        return Json.MAPPER.readTree(token.body()).get("token").asText();
    }

    /** Starts the console's step-up sign-in; the provider URL asks for a fresh authentication. */
    private URI stepUpAtProvider() throws Exception {
        URI providerUrl = SsoClient.location(browser.get(URI.create(relay.baseUrl() + "/api/v1/auth/oidc/start?step_up=1")));
        assertThat(providerUrl.getRawQuery()).contains("prompt=login", "max_age=0");
        return providerUrl;
    }

    /** Olga signs in on the provider's login page; {@code authTime}: what its ID token says (null: nothing). */
    private URI signInAgain(URI providerUrl, Instant authTime) throws Exception {
        String claims = "{\"preferred_username\":\"olga\",\"groups\":[\"dt-ops\"]"
                + (authTime == null ? "" : ",\"auth_time\":" + authTime.getEpochSecond()) + "}";
        return browser.signInOnProviderPage(providerUrl, "sub-olga", claims);
    }

    private String session() {
        return browser.cookie(URI.create(relay.baseUrl()), "dt_session");
    }

    private HttpResponse<String> files(String device, String token) throws Exception {
        return relay.get("/api/v1/devices/" + device + "/files?path=/etc/hostname", token);
    }

    private static String error(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        return Json.MAPPER.readTree(r.body()).path("error").asText();
    }

    private List<String> audit(String event) {
        return relay.server().audit().recent(100, event, null).stream().map(AuditLog.Event::detail).toList();
    }
}
