package devicetunnel.relay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.auth.MfaPolicy;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.Browser;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The console's second-factor pages in a real browser against a real relay: a role that requires
 * MFA is sent to enrolment first (QR code, first code, recovery codes shown once), and the next
 * login asks for a code. Screenshots under {@code relay-server/target/screenshots/<test>/}.
 */
@Timeout(120)
class SecurityBrowserIT {
    private static final String USER = "olga";
    private static final String PASSWORD = "olga's long passphrase";

    @RegisterExtension
    static final Browser browser = Browser.perTestClass();

    @TempDir
    Path dir;
    TestRelay relay;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir, c -> c.withIdentity(c.identity().withMfaAttemptsPerMinute(100)
                .withRequireMfa(new MfaPolicy(Set.of(User.Role.OPERATOR)))));
        relay.addUser(USER, PASSWORD, User.Role.OPERATOR, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void requiredEnrolmentByQrCodeThenLoginAsksForTheCode() throws Exception {
        relay.onlineDevice("dev-1");
        browser.open(relay.baseUrl() + "/");
        browser.awaitTitle("Login · device-tunnel");
        browser.await("the passkey login button", d -> browser.find("#passkey-login").isDisplayed());
        assertThat(browser.axeViolations()).as("axe on the login page (password and passkey)").isEmpty();
        browser.login(USER, PASSWORD);

        // The role requires a factor: the security dialog, not the console, and it cannot be closed.
        browser.await("the mandatory security dialog", d -> browser.find("#security-required").isDisplayed());
        assertThat(browser.find("#console-view").isDisplayed()).isFalse();
        assertThat(browser.find("#security-close").isDisplayed()).isFalse();
        browser.find("#totp-start").click();
        WebElement qr = browser.await("the QR code", d -> browser.findOptional("#totp-qr svg path").orElse(null));
        assertThat(qr.getAttribute("d")).startsWith("M");
        String base32 = browser.await("the key", d -> {
            String t = browser.find("#totp-secret").getText().trim();
            return t.isEmpty() ? null : t;
        });
        byte[] secret = TotpCodes.base32(base32);
        browser.shot("enrol-qr");
        assertThat(browser.axeViolations()).as("axe on the mandatory security dialog with the QR code").isEmpty();

        long step = TotpCodes.stepNow();
        browser.find("#totp-code").sendKeys(TotpCodes.code(secret, step), Keys.ENTER);
        browser.await("the recovery codes", d -> browser.find("#recovery-panel").isDisplayed());
        List<WebElement> codes = browser.driver().findElements(By.cssSelector("#recovery-codes li"));
        assertThat(codes).hasSize(10);
        browser.shot("recovery-codes");
        assertThat(browser.axeViolations()).as("axe on the recovery codes").isEmpty();
        browser.find("#recovery-done").click();
        browser.awaitTitle("Devices · device-tunnel");
        assertThat(browser.driver().findElements(By.cssSelector("#recovery-codes li"))).as("shown once").isEmpty();

        // Log out; the next login asks for a code (a wrong one is refused, the next step's works).
        browser.find("#logout").click();
        browser.awaitTitle("Login · device-tunnel");
        browser.login(USER, PASSWORD);
        WebElement code = browser.await("the code prompt", d -> browser.findOptional("#mfa-code").filter(WebElement::isDisplayed).orElse(null));
        browser.shot("code-prompt");
        assertThat(browser.axeViolations()).as("axe on the second step (code or passkey)").isEmpty();
        String wrong = "123456".equals(TotpCodes.code(secret, step + 1)) ? "654321" : "123456";
        code.sendKeys(wrong, Keys.ENTER);
        browser.await("the wrong code refused", d -> browser.find("#mfa-error").isDisplayed());
        code.clear();
        code.sendKeys(TotpCodes.code(secret, step + 1), Keys.ENTER);
        browser.awaitTitle("Devices · device-tunnel");
        assertThat(browser.find("#current-user").getText()).isEqualTo(USER);

        // The security dialog shows the factor on; a required factor offers no removal.
        browser.find("#security-open").click();
        browser.awaitText("#security-status", "Authenticator app: on. 10 recovery code(s) left.");
        assertThat(browser.find("#totp-remove-form").isDisplayed()).isFalse();
        browser.shot("security-status");
        assertThat(browser.axeViolations()).as("axe on the security dialog (authenticator app and passkeys)").isEmpty();
    }
}
