package devicetunnel.relay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.support.Browser;
import devicetunnel.relay.support.TestIdp;
import devicetunnel.relay.support.TestRelay;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebElement;

/**
 * "Sign in with <provider>" in a real Chromium: the relay sends the browser to the provider (a real
 * one in this JVM), the provider back, and the console opens logged in as a password login would,
 * through every cookie rule a browser applies on the way (the sign-in cookie must survive the
 * cross-site return, the session cookie is SameSite=Strict). Screenshots under
 * {@code relay-server/target/screenshots/<test>/}.
 */
@Timeout(120)
class OidcBrowserIT extends WithSsoRelay {
    @RegisterExtension
    static final Browser browser = Browser.perTestClass();

    @BeforeEach
    void startRelay() throws Exception {
        start(c -> c.withOidc(idp.settings(false, Set.of(TestRelay.ADMIN))));
    }

    @Test
    void signInWithTheProviderOpensTheConsole() throws Exception {
        relay.onlineDevice("lab-1", Map.of("env", "lab"));
        relay.onlineDevice("prod-1", Map.of("env", "prod"));
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        browser.open(relay.baseUrl() + "/");
        browser.awaitTitle("Login · device-tunnel");
        WebElement button = browser.await("the SSO button",
                d -> browser.findOptional("#sso-button").filter(WebElement::isDisplayed).orElse(null));
        assertThat(button.getText()).isEqualTo("Sign in with " + TestIdp.PROVIDER);
        assertThat(browser.find("#sso-password-note").getText()).contains("emergency");
        browser.shot("login-with-sso");
        assertThat(browser.axeViolations()).as("axe on the login page with the SSO button").isEmpty();

        button.click();
        browser.awaitTitle("Devices · device-tunnel");
        browser.awaitText("#console-view", "lab-1");
        browser.shot("console-after-sso");
        // An operator scoped to env=lab by the mapping: the prod device is not listed.
        assertThat(browser.find("#console-view").getText()).doesNotContain("prod-1");
        Object me = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/api/v1/auth/me').then(r => r.json()).then(j => done(j.username + '/' + j.role));");
        assertThat(me).isEqualTo("olga/operator");
    }
}
