package devicetunnel.relay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.Browser;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.virtualauthenticator.Credential;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;

/**
 * Passkeys in a real Chromium with its virtual authenticator against a real relay: registering one,
 * using it as the login's second step and for a passwordless login; replayed, tampered and cloned
 * assertions refused; step-up on a device labelled {@code env=prod} (and not on others), satisfied
 * by a passkey in the console's dialog. The console runs on {@code http://localhost:PORT}: WebAuthn
 * needs a secure context and a domain as RP ID (an IP address is none).
 */
@Timeout(180)
class PasskeyBrowserIT {
    private static final String USER = "petra";
    private static final String PASSWORD = "petra's long passphrase";

    @RegisterExtension
    static final Browser browser = Browser.perTestClass();

    @TempDir
    Path dir;
    TestRelay relay;
    VirtualAuthenticator authenticator;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir, c -> c.withIdentity(c.identity().withMfaAttemptsPerMinute(100)
                .withStepUp("env=prod", Duration.ofMinutes(15)))
                .withHardening(c.hardening().withRates(100, 30))); // many ceremonies from one address here
        relay.addUser(USER, PASSWORD, User.Role.OPERATOR, Map.of());
        authenticator = browser.addPasskeyAuthenticator();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (authenticator != null) {
                browser.removeAuthenticator(authenticator);
            }
        } finally {
            relay.close();
        }
    }

    private String console() {
        return relay.baseUrl().replace("127.0.0.1", "localhost");
    }

    @Test
    void registerThenSecondStepThenPasswordless() throws Exception {
        browser.open(console() + "/");
        passwordLogin();
        browser.awaitTitle("Devices · device-tunnel");
        registerPasskey("virtual key");
        browser.shot("registered");
        assertThat(authenticator.getCredentials()).hasSize(1);
        assertThat(authenticator.getCredentials().get(0).isResidentCredential()).isTrue();

        // The password now leads to the second step, which the passkey answers.
        browser.find("#logout").click();
        browser.awaitTitle("Login · device-tunnel");
        passwordLogin();
        browser.await("the second-step form", d -> browser.find("#mfa-form").isDisplayed());
        browser.find("#mfa-passkey").click();
        browser.awaitTitle("Devices · device-tunnel");
        assertThat(browser.find("#current-user").getText()).isEqualTo(USER);

        // No password at all: the key names the account.
        browser.find("#logout").click();
        browser.awaitTitle("Login · device-tunnel");
        browser.find("#passkey-login").click();
        browser.awaitTitle("Devices · device-tunnel");
        assertThat(browser.find("#current-user").getText()).isEqualTo(USER);
        browser.shot("passwordless");

        List<String> details = relay.server().audit().recent(100, "login.ok", null).stream().map(AuditLog.Event::detail).toList();
        assertThat(details).contains("with second factor (passkey)", "passwordless (passkey)");
        assertThat(relay.server().audit().recent(100, "mfa.passkey.registered", null)).hasSize(1);
        assertThat(authenticator.getCredentials().get(0).getSignCount()).as("the key counted its uses").isGreaterThanOrEqualTo(3);
    }

    @Test
    void replayedTamperedAndClonedAssertionsAreRefused() throws Exception {
        browser.open(console() + "/");
        passwordLogin();
        browser.awaitTitle("Devices · device-tunnel");
        registerPasskey("virtual key");

        // One real assertion: accepted once, refused when sent again (its challenge is used up).
        Map<String, Object> statuses = passwordlessTwice("");
        assertThat(statuses).containsEntry("first", 200L).containsEntry("again", 401L);
        // A signature that is not the key's.
        assertThat(passwordlessTwice("tamper").get("first")).isEqualTo(401L);
        // An answer to another ceremony's challenge.
        assertThat(passwordlessTwice("swap").get("first")).isEqualTo(401L);

        // A clone of the key that is behind on the counter (the relay saw higher): refused.
        Credential key = authenticator.getCredentials().get(0);
        authenticator.removeAllCredentials();
        authenticator.addCredential(Credential.createResidentCredential(key.getId(), key.getRpId(), key.getPrivateKey(),
                key.getUserHandle(), 1));
        assertThat(passwordlessTwice("").get("first")).isEqualTo(401L);
        assertThat(relay.server().audit().recent(100, "mfa.failed", null).stream().map(AuditLog.Event::detail).toList())
                .anyMatch(d -> d.startsWith("passkey: sign counter went back"))
                .anyMatch(d -> d.startsWith("passkey: assertion refused"));
    }

    @Test
    void stepUpOnTheLabelledDeviceOnlySatisfiedByAPasskey() throws Exception {
        relay.onlineDevice("prod-1", Map.of("env", "prod"));
        relay.onlineDevice("dev-1", Map.of("env", "dev"));
        browser.open(console() + "/");
        passwordLogin();
        browser.awaitTitle("Devices · device-tunnel");
        registerPasskey("virtual key");

        // The login's factor is 20 minutes old now (past the 15-minute step-up age).
        browser.driver().manage().deleteCookieNamed(Credentials.COOKIE);
        browser.driver().manage().addCookie(new Cookie.Builder(Credentials.COOKIE,
                relay.tokenWithFactorAge(USER, Duration.ofMinutes(20))).path("/").isHttpOnly(true).build());
        browser.open(console() + "/");
        browser.awaitTitle("Devices · device-tunnel");

        openTerminal("dev-1");
        browser.awaitStatus("connected");
        assertThat(browser.find("#step-up-dialog").isDisplayed()).as("no step-up for env=dev").isFalse();

        openTerminal("prod-1");
        browser.await("the step-up dialog", d -> browser.find("#step-up-dialog").isDisplayed());
        browser.shot("step-up-asked");
        assertThat(browser.axeViolations()).as("axe on the step-up dialog").isEmpty();
        browser.find("#step-up-passkey").click();
        browser.awaitStatus("connected");
        assertThat(browser.find("#step-up-dialog").isDisplayed()).isFalse();
        browser.shot("step-up-done");
        assertThat(relay.server().audit().recent(100, "login.step_up", null).stream().map(AuditLog.Event::detail).toList())
                .containsExactly("passkey");
    }

    @Test
    void enrollingAnAuthenticatorAppBesideAPasskeyNeedsARecentFactor() throws Exception {
        browser.open(console() + "/");
        passwordLogin();
        browser.awaitTitle("Devices · device-tunnel");
        registerPasskey("virtual key");

        // A stolen cookie whose factor is 20 minutes old cannot add the thief's authenticator app.
        String old = relay.tokenWithFactorAge(USER, Duration.ofMinutes(20));
        for (String path : List.of("/api/v1/account/mfa/totp", "/api/v1/account/mfa/totp/confirm")) {
            HttpResponse<String> refused = relay.send("POST", path, old, path.endsWith("confirm") ? Map.of("code", "123456") : Map.of());
            assertThat(refused.statusCode()).as(path).isEqualTo(403);
            assertThat(Json.MAPPER.readTree(refused.body()).path("error").asText()).isEqualTo("step_up_required");
        }
        assertThat(relay.server().audit().recent(100, "mfa.totp.enrolment_started", null)).isEmpty();

        HttpResponse<String> begun = relay.send("POST", "/api/v1/account/mfa/totp", relay.tokenWithFactorAge(USER, Duration.ZERO), Map.of());
        assertThat(begun.statusCode()).as(begun.body()).isEqualTo(200);
    }

    private void openTerminal(String deviceId) {
        WebElement row = browser.await(deviceId + " listed", d -> browser.findOptional(
                "#devices [data-device-id='" + deviceId + "'][data-online='true']").orElse(null));
        row.findElement(By.cssSelector(".open-terminal")).click();
    }

    private void registerPasskey(String name) {
        browser.find("#security-open").click();
        browser.await("the security dialog", d -> browser.find("#passkey-add-form").isDisplayed());
        browser.find("#passkey-name").sendKeys(name);
        browser.find("#passkey-add").click();
        browser.awaitText("#passkey-list", name);
        browser.find("#security-close").click();
    }

    /**
     * A passwordless ceremony run by hand in the page: the assertion (optionally spoiled) is sent
     * twice; {@code swap} answers a second ceremony's id with the first one's assertion.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> passwordlessTwice(String spoil) {
        browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        Object result = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const spoil = arguments[0];
                const post = (path, body) => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                    body: JSON.stringify(body) });
                (async () => {
                  const options = await (await post('/api/v1/auth/passkey/options', {})).json();
                  const cred = await navigator.credentials.get({
                    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey) });
                  const credential = cred.toJSON();
                  let ceremonyId = options.ceremonyId;
                  if (spoil === 'tamper') {
                    const s = credential.response.signature;
                    credential.response.signature = s.substring(0, 5) + (s[5] === 'A' ? 'B' : 'A') + s.substring(6);
                  }
                  if (spoil === 'swap') {
                    ceremonyId = (await (await post('/api/v1/auth/passkey/options', {})).json()).ceremonyId;
                  }
                  const first = await post('/api/v1/auth/passkey', { ceremonyId, credential });
                  const again = await post('/api/v1/auth/passkey', { ceremonyId, credential });
                  return { first: first.status, again: again.status };
                })().then(done, (e) => done({ error: String(e) }));
                """, spoil);
        assertThat((Map<String, Object>) result).doesNotContainKey("error");
        return (Map<String, Object>) result;
    }

    private void passwordLogin() {
        WebElement name = browser.await("the login form", d -> browser.findOptional("#username").filter(WebElement::isDisplayed).orElse(null));
        name.clear();
        name.sendKeys(USER);
        WebElement pass = browser.find("#password");
        pass.clear();
        pass.sendKeys(PASSWORD, Keys.ENTER);
    }
}
