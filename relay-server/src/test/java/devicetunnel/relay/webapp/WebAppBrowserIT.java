package devicetunnel.relay.webapp;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.support.Browser;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/** A real Chromium opens a device's web app from the console: its own origin, its script and websocket run. */
@Timeout(150)
class WebAppBrowserIT {
    @TempDir
    Path dir;
    private TestRelay relay;
    private DeviceWebApp deviceApp;
    @RegisterExtension
    static final Browser browser = Browser.perTestClass();

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir, c -> c.withWebApps(new RelayConfig.WebApps("127.0.0.1", 0, null)));
        deviceApp = new DeviceWebApp();
        relay.onlineDevice("cam-1", Map.of());
        relay.send("PATCH", "/api/v1/devices/cam-1/features", relay.adminToken(), Map.of("webApps", true));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            deviceApp.close();
        } finally {
            relay.close();
        }
    }

    @Test
    void theConsoleOpensTheAppAtItsOwnOriginWithItsWebsocketWorking() throws Exception {
        browser.open(relay.baseUrl() + "/");
        WebElement name = browser.await("the login form", d -> browser.findOptional("#username").filter(WebElement::isDisplayed).orElse(null));
        name.sendKeys(TestRelay.ADMIN);
        browser.find("#password").sendKeys(TestRelay.PASSWORD, Keys.ENTER);
        WebElement open = browser.await("the Open web app button",
                d -> browser.findOptional("[data-device-id='cam-1'] .open-web-app").filter(WebElement::isDisplayed).orElse(null));
        String console = browser.driver().getWindowHandle();
        open.click();
        browser.await("the port prompt", d -> d.switchTo().alert()).sendKeys(Integer.toString(deviceApp.port()));
        browser.driver().switchTo().alert().accept();
        String appWindow = browser.await("the app's window", d -> {
            Set<String> handles = d.getWindowHandles();
            return handles.stream().filter(h -> !h.equals(console)).findFirst().orElse(null);
        });
        browser.driver().switchTo().window(appWindow);
        browser.awaitText("#hello", "echo: ping from page"); // the page's script ran and its websocket echoed
        String origin = (String) ((JavascriptExecutor) browser.driver()).executeScript("return location.origin");
        assertThat(origin).matches("http://[a-z2-7]{26}\\.localhost:\\d+").doesNotContain("127.0.0.1");
        // The app's scripts see the app's cookies only; the relay's app cookie is HttpOnly.
        assertThat(browser.find("#cookie").getText()).isEqualTo("cookies: fromscript=1");
        browser.shot("web-app");

        browser.driver().switchTo().window(console);
        String consoleCookies = (String) ((JavascriptExecutor) browser.driver()).executeScript("return document.cookie");
        assertThat(consoleCookies).doesNotContain("fromscript").doesNotContain("devtunnel_app");
    }
}
