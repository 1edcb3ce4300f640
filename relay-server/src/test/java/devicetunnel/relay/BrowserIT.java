package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.agent.Agent;
import devicetunnel.relay.auth.Credentials;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.AgentProcess;
import devicetunnel.relay.support.Browser;
import devicetunnel.relay.support.TcpProxy;
import devicetunnel.relay.support.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The operator console in a real browser (Debian's headless chromium through Selenium) against a
 * real relay and real in-process agents: every page the issue names, driven the way an operator
 * would, with a screenshot per step under {@code relay-server/target/screenshots/<test>/}.
 */
@Timeout(120)
class BrowserIT {
    private static final String VIEWER = "vera";
    private static final String VIEWER_PASSWORD = "viewer password 1";

    @RegisterExtension
    static final Browser browser = Browser.perTestClass();

    @TempDir
    Path dir;
    TestRelay relay;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir);
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void operatorLogsInOpensTerminalsResizesAndLogsOut() throws Exception {
        relay.onlineDevice("dev-1");
        relay.enrollDevice("lab-2", Map.of("site", "lab"));

        browser.open(relay.baseUrl() + "/");
        browser.awaitTitle("Login · device-tunnel");
        browser.shot("login-page");
        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        browser.awaitTitle("Devices · device-tunnel");
        assertThat(browser.find("#current-user").getText()).isEqualTo(TestRelay.ADMIN);

        // The list: name, id, presence, labels.
        awaitOnline("dev-1", true);
        awaitOnline("lab-2", false);
        WebElement lab = row("lab-2");
        assertThat(lab.getText()).contains("lab-2", "offline", "never seen", "site=lab");
        assertThat(row("dev-1").getText()).contains("dev-1", "online");
        browser.shot("device-list");

        // Filter by label, then by id; Enter in the filter opens the one device left (no mouse).
        WebElement filter = browser.find("#device-filter");
        filter.sendKeys("site=lab");
        browser.await("only lab-2 listed", d -> !row("dev-1").isDisplayed() && row("lab-2").isDisplayed());
        browser.shot("filtered-by-label");
        filter.clear();
        filter.sendKeys("dev-1");
        browser.await("only dev-1 listed", d -> row("dev-1").isDisplayed() && !row("lab-2").isDisplayed());
        filter.sendKeys(Keys.ENTER);

        browser.await("one terminal tab", d -> tabCount() == 1);
        browser.awaitStatus("connected");
        browser.awaitTitle("dev-1 · device-tunnel");
        browser.typeInTerminal("echo hello-$((1+1))", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("hello-2"));
        browser.shot("terminal-hello");

        // The device's PTY has the size the browser fitted, and follows the window.
        Browser.TerminalSize before = browser.terminalSize();
        awaitStty(before);
        browser.driver().manage().window().setSize(new Dimension(700, 560));
        Browser.TerminalSize after = browser.await("the terminal to refit to the narrow window",
                d -> browser.terminalSize().equals(before) ? null : browser.terminalSize());
        assertThat(after.cols()).isLessThan(before.cols());
        awaitStty(after);
        assertThat(browser.find("#device-filter").isDisplayed()).isTrue();
        browser.shot("narrow-window-resized");
        browser.driver().manage().window().setSize(new Dimension(1280, 720));

        // (yes fills the 10 000-line scrollback: later checks look for lines printed after it.)
        // Heavy output does not freeze the tab, and Ctrl-C reaches the shell and stops it.
        browser.typeInTerminal("yes flood", Keys.ENTER);
        // The relay stops at the high watermark of unacknowledged output: getting past it many times
        // over means the page acknowledges what xterm.js rendered.
        long watermark = TerminalSessions.Settings.defaults().highWatermark();
        browser.await("the browser to acknowledge 4x the relay's high watermark", Duration.ofSeconds(30),
                d -> relay.server().sessions().all().stream().mapToLong(TerminalSession::bytesOut).sum() > 4 * watermark);
        browser.typeInTerminal(Keys.chord(Keys.CONTROL, "c"));
        browser.typeInTerminal("echo after-$((3*3))", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("after-9"));
        browser.shot("after-ctrl-c");

        // A second tab on the same device, opened from the keyboard.
        browser.typeInTerminal(Keys.chord(Keys.CONTROL, Keys.SHIFT, "l"));
        browser.await("the device filter focused", d -> "device-filter".equals(d.switchTo().activeElement().getAttribute("id")));
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.await("two terminal tabs", d -> tabCount() == 2);
        browser.awaitStatus("connected");
        browser.typeInTerminal("echo second-$((2+3))", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("second-5"));
        assertThat(browser.terminalHasLine("after-9")).as("the second tab is its own shell").isFalse();
        browser.shot("second-tab");
        browser.typeInTerminal(Keys.chord(Keys.CONTROL, Keys.SHIFT, Keys.ARROW_LEFT));
        browser.await("the first tab back", d -> browser.terminalHasLine("after-9"));
        browser.awaitTitle("dev-1 · device-tunnel");

        browser.find("#logout").click();
        browser.awaitTitle("Login · device-tunnel");
        assertThat(browser.driver().findElements(By.cssSelector("#tabs .tab"))).isEmpty();
        browser.driver().navigate().refresh();
        browser.awaitTitle("Login · device-tunnel");
        assertThat(browser.find("#login-form").isDisplayed()).isTrue();
        browser.shot("logged-out");
    }

    @Test
    void controlKeysSearchFontSizeAndTheme() throws Exception {
        relay.onlineDevice("dev-1");
        browser.open(relay.baseUrl() + "/");
        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        awaitOnline("dev-1", true);
        row("dev-1").findElement(By.cssSelector(".open-terminal")).click();
        browser.awaitStatus("connected");
        browser.typeInTerminal("echo needle-$((5*5))", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("needle-25"));

        // Plain Ctrl keys belong to the shell: Ctrl+W erases the last word, Ctrl+U the line.
        browser.typeInTerminal("echo kept-word dropped-word", Keys.chord(Keys.CONTROL, "w"), Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("kept-word"));
        browser.typeInTerminal("echo never-run", Keys.chord(Keys.CONTROL, "u"), "echo ctrl-$((2*4))", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("ctrl-8"));
        assertThat(browser.terminalHasLine("never-run")).isFalse();

        browser.typeInTerminal(Keys.chord(Keys.CONTROL, Keys.SHIFT, "f"));
        WebElement search = browser.await("the search field focused", d -> {
            WebElement active = d.switchTo().activeElement();
            return active.getAttribute("class").contains("search-input") ? active : null;
        });
        search.sendKeys("no-such-text-anywhere");
        browser.awaitText(".terminal-panel.active .search-result", "no match");
        search.clear();
        search.sendKeys("needle-25");
        browser.await("a match", d -> browser.find(".terminal-panel.active .search-result").getText().isEmpty());
        browser.shot("search-found");
        search.sendKeys(Keys.ESCAPE);
        browser.await("the search bar closed", d -> !browser.find(".terminal-panel.active .search-bar").isDisplayed());

        Browser.TerminalSize small = browser.terminalSize();
        browser.find("#font-larger").click();
        browser.find("#font-larger").click();
        Browser.TerminalSize large = browser.await("fewer columns with a larger font",
                d -> browser.terminalSize().cols() < small.cols() ? browser.terminalSize() : null);
        awaitStty(large);

        String theme = browser.driver().findElement(By.tagName("html")).getAttribute("data-theme");
        browser.find("#theme-toggle").click();
        browser.await("the other theme", d -> !theme.equals(d.findElement(By.tagName("html")).getAttribute("data-theme")));
        browser.shot("larger-font-other-theme");
    }

    @Test
    void wrongPasswordSaysSo() throws Exception {
        browser.open(relay.baseUrl() + "/");
        browser.awaitTitle("Login · device-tunnel");
        browser.login(TestRelay.ADMIN, "not the password");
        String error = browser.awaitText("#login-error", "Wrong username or password");
        assertThat(error.toLowerCase()).doesNotContain("forbidden");
        assertThat(browser.driver().getTitle()).isEqualTo("Login · device-tunnel");
        browser.shot("wrong-password");
    }

    @Test
    void expiredLoginGoesBackToTheLoginPage() throws Exception {
        relay.onlineDevice("dev-1");
        browser.open(relay.baseUrl() + "/");
        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        awaitOnline("dev-1", true);
        browser.shot("logged-in");

        // The session cookie now holds a token the relay itself signed, but one that ran out.
        browser.driver().manage().deleteCookieNamed(Credentials.COOKIE);
        browser.driver().manage().addCookie(new Cookie.Builder(Credentials.COOKIE, expiredAdminToken())
                .path("/").isHttpOnly(true).sameSite("Strict").build());

        browser.awaitText("#login-error", "Your session expired, please log in again");
        browser.awaitTitle("Login · device-tunnel");
        assertThat(browser.find("#console-view").isDisplayed()).isFalse();
        browser.shot("session-expired");

        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        browser.awaitTitle("Devices · device-tunnel");
        awaitOnline("dev-1", true);
    }

    @Test
    void devicePresenceIsLiveAndAnOfflineDeviceIsExplained() throws Exception {
        Path agentState = relay.enrollAgentState("dev-1", dir.resolve("agent-dev-1"), Map.of());
        browser.open(relay.baseUrl() + "/");
        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        awaitOnline("dev-1", false);
        assertThat(row("dev-1").getText()).contains("never seen");
        browser.shot("device-never-seen");

        Agent agent = relay.startAgent("dev-1", agentState, relay.tokenFile(relay.enrollmentToken(false, true, Map.of())));
        awaitOnline("dev-1", true);
        browser.shot("device-came-online");
        row("dev-1").findElement(By.cssSelector(".open-terminal")).click();
        browser.awaitStatus("connected");
        browser.typeInTerminal("echo up-$((6*7))", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("up-42"));

        // A stopping agent says goodbye: the shell ends with a note and an exit status.
        agent.close();
        awaitOnline("dev-1", false);
        String ended = browser.awaitStatus("exited with status");
        assertThat(ended).startsWith("closed");
        browser.awaitTerminalLine(Pattern.compile(".*device agent shutting down.*"));
        assertThat(row("dev-1").getText()).contains("offline", "last seen");
        browser.shot("device-went-offline");

        // Opening a terminal on the offline device: the relay's 502, in words.
        row("dev-1").findElement(By.cssSelector(".open-terminal")).click();
        browser.await("a second tab", d -> tabCount() == 2);
        String refused = browser.awaitStatus("The device is offline or unreachable");
        assertThat(refused).startsWith("closed");
        browser.shot("offline-device-refused");
    }

    @Test
    @Timeout(300)
    void closingATabEndsItsShellSoTwentyTabsInARowAreNeverRefused() throws Exception {
        Agent agent = relay.onlineDevice("dev-1");
        browser.open(relay.baseUrl() + "/");
        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        awaitOnline("dev-1", true);

        for (int i = 1; i <= 20; i++) { // the device's cap is 8: a ninth held-over shell would be refused
            row("dev-1").findElement(By.cssSelector(".open-terminal")).click();
            browser.await("tab " + i + " open", d -> tabCount() == 1);
            browser.awaitStatus("connected");
            browser.typeInTerminal("echo tab-" + i + "-$((" + i + "*2))", Keys.ENTER);
            browser.awaitTerminalLine(Pattern.compile("tab-" + i + "-" + (i * 2)));
            browser.find("#tabs .tab-close").click();
            browser.await("tab " + i + " closed", d -> tabCount() == 0);
            browser.await("the relay ends the shell at once", d -> relay.server().sessions().all().isEmpty());
        }
        browser.await("no shell left on the device", d -> agent.sshServer().streamSessions() == 0);
        assertThat(relay.server().audit().recent(100, "session.closed_by_user", "dev-1")).hasSize(20);
        browser.shot("twenty-tabs-later");
    }

    @Test
    void aReloadTakesOverTheSameShellWithItsScreen() throws Exception {
        relay.onlineDevice("dev-1");
        browser.open(relay.baseUrl() + "/");
        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        awaitOnline("dev-1", true);
        row("dev-1").findElement(By.cssSelector(".open-terminal")).click();
        browser.awaitStatus("connected");
        browser.typeInTerminal("echo before-reload-$$", Keys.ENTER);
        String pid = browser.awaitTerminalLine(Pattern.compile("before-reload-\\d+")).replaceAll(".*before-reload-(\\d+).*", "$1");

        browser.driver().navigate().refresh();
        browser.await("the tab back after the reload", d -> tabCount() == 1);
        browser.awaitStatus("connected");
        browser.awaitTerminalLine(Pattern.compile("before-reload-" + pid)); // the screen, replayed
        browser.typeInTerminal("echo after-reload-$$", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("after-reload-" + pid)); // the same shell
        assertThat(relay.server().sessions().all()).hasSize(1);
        browser.shot("reloaded");
    }

    @Test
    void refusedSessionsShowTheRelaysReason() throws Exception {
        relay.onlineDevice("dev-1");
        relay.addUser(VIEWER, VIEWER_PASSWORD, User.Role.VIEWER, Map.of());
        browser.open(relay.baseUrl() + "/");
        browser.login(VIEWER, VIEWER_PASSWORD);
        awaitOnline("dev-1", true);

        // 403: a viewer may list devices but not open a shell.
        row("dev-1").findElement(By.cssSelector(".open-terminal")).click();
        String forbidden = browser.awaitStatus("You are not allowed to open a session on this device");
        assertThat(forbidden).contains("viewer").doesNotContainIgnoringCase("forbidden");
        browser.shot("viewer-refused");

        // 404: a link to a device that does not exist.
        browser.open(relay.baseUrl() + "/#device=no-such-device");
        browser.await("a tab for the linked device", d -> tabCount() == 2);
        browser.awaitStatus("closed — No such device");
        browser.shot("unknown-device-refused");
    }

    @Test
    void uploadsAndDownloadsFilesThroughTheFilesPanel() throws Exception {
        relay.onlineDevice("dev-1");
        Path deviceDir = Files.createDirectories(dir.resolve("device-files"));
        Path local = dir.resolve("notes-upload.txt");
        String content = "uploaded from the browser " + Instant.now() + "\n".repeat(3) + "x".repeat(200_000);
        Files.writeString(local, content);

        browser.open(relay.baseUrl() + "/");
        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        awaitOnline("dev-1", true);
        row("dev-1").findElement(By.cssSelector(".open-terminal")).click();
        browser.awaitStatus("connected");

        browser.find(".terminal-panel.active .files-button").click();
        WebElement uploadDir = browser.await("the files panel", d -> browser
                .findOptional(".terminal-panel.active .files-panel .upload-path").filter(WebElement::isDisplayed).orElse(null));
        uploadDir.clear();
        uploadDir.sendKeys(deviceDir.toString());
        browser.find(".terminal-panel.active .upload-input").sendKeys(local.toString());
        browser.awaitText(".terminal-panel.active .upload-status", "uploaded notes-upload.txt");
        browser.shot("file-uploaded");
        assertThat(Files.readString(deviceDir.resolve("notes-upload.txt"))).isEqualTo(content);

        // Download: the link the panel builds, fetched by the browser with its own session cookie.
        Path remote = Files.writeString(deviceDir.resolve("report.txt"), "report from the device\n");
        WebElement downloadPath = browser.find(".terminal-panel.active .download-path");
        downloadPath.sendKeys(remote.toString());
        WebElement link = browser.await("an active download link", d -> browser
                .findOptional(".terminal-panel.active .download-link[href]").orElse(null));
        assertThat(link.getAttribute("download")).isEqualTo("report.txt");
        Object fetched = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0]).then(r => r.text().then(t => done(r.status + ':' + t)), e => done('error:' + e));",
                link.getAttribute("href"));
        assertThat(fetched).isEqualTo("200:report from the device\n");
        browser.shot("file-download-link");
    }

    @Test
    void savedFiltersAreSavedOnTheRelayPickedAndDeleted() throws Exception {
        relay.enrollDevice("berlin-1", Map.of("site", "berlin"));
        relay.enrollDevice("paris-1", Map.of("site", "paris"));
        browser.open(relay.baseUrl() + "/");
        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        browser.await("both devices listed", d -> row("berlin-1").isDisplayed() && row("paris-1").isDisplayed());
        assertThat(browser.find("#saved-filter-delete").isEnabled()).as("nothing chosen to delete").isFalse();

        // Save the filter as typed, under a name of one's own.
        WebElement filter = browser.find("#device-filter");
        filter.sendKeys("site=berlin");
        browser.await("paris filtered out", d -> !row("paris-1").isDisplayed());
        browser.find("#saved-filter-save").click();
        WebElement name = browser.await("the name form", d -> browser.find("#saved-filter-name").isDisplayed()
                ? browser.find("#saved-filter-name") : null);
        assertThat(name.getAttribute("value")).isEqualTo("site=berlin");
        name.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Berlin", Keys.ENTER);
        browser.awaitText("#saved-filter-status", "Saved “Berlin”.");
        assertThat(browser.find("#saved-filter-form").isDisplayed()).isFalse();
        assertThat(new Select(browser.find("#saved-filter-select")).getFirstSelectedOption().getText()).isEqualTo("Berlin");
        browser.shot("saved-filter-berlin");

        filter.sendKeys(Keys.ESCAPE);
        browser.await("the filter cleared", d -> row("paris-1").isDisplayed());
        assertThat(new Select(browser.find("#saved-filter-select")).getFirstSelectedOption().getText()).isEqualTo("Saved filters…");
        filter.sendKeys("site=paris");
        browser.find("#saved-filter-save").click();
        browser.await("the name form", d -> browser.find("#saved-filter-name").isDisplayed());
        browser.find("#saved-filter-name").sendKeys(Keys.chord(Keys.CONTROL, "a"), "Paris", Keys.ENTER);
        browser.awaitText("#saved-filter-status", "Saved “Paris”.");

        // They live on the relay: a fresh page (and the API) has them; picking one fills the filter.
        assertThat(relay.get("/api/v1/account/device-filters", relay.adminToken()).body()).contains("\"Berlin\"", "\"Paris\"");
        browser.open(relay.baseUrl() + "/");
        browser.await("both devices listed again", d -> row("berlin-1").isDisplayed() && row("paris-1").isDisplayed());
        Select saved = browser.await("the saved filters loaded", d -> {
            Select select = new Select(browser.find("#saved-filter-select"));
            return select.getOptions().size() == 3 ? select : null;
        });
        assertThat(saved.getOptions()).extracting(WebElement::getText).containsExactly("Saved filters…", "Berlin", "Paris");
        saved.selectByVisibleText("Berlin");
        browser.await("the filter filled", d -> "site=berlin".equals(browser.find("#device-filter").getAttribute("value")));
        browser.await("paris filtered out", d -> !row("paris-1").isDisplayed() && row("berlin-1").isDisplayed());
        browser.shot("saved-filter-picked");

        browser.find("#saved-filter-delete").click();
        browser.awaitText("#saved-filter-status", "Deleted “Berlin”.");
        assertThat(new Select(browser.find("#saved-filter-select")).getOptions()).extracting(WebElement::getText)
                .containsExactly("Saved filters…", "Paris");
        assertThat(relay.get("/api/v1/account/device-filters", relay.adminToken()).body()).doesNotContain("Berlin").contains("Paris");
        assertThat(browser.axeViolations()).as("axe with saved filters").isEmpty();
    }

    @Test
    void theConsoleWorksFromTheKeyboardAloneAndAxeFindsNothing() throws Exception {
        relay.onlineDevice("dev-1");
        relay.enrollDevice("lab-2", Map.of("site", "lab"));
        browser.open(relay.baseUrl() + "/");
        browser.awaitTitle("Login · device-tunnel");
        assertThat(browser.axeViolations()).as("axe on the login page").isEmpty();

        // Keyboard only: the username field has the focus, Tab to the password, Enter logs in.
        browser.await("the username focused", d -> "username".equals(d.switchTo().activeElement().getAttribute("id")));
        browser.driver().switchTo().activeElement().sendKeys(TestRelay.ADMIN, Keys.TAB);
        browser.driver().switchTo().activeElement().sendKeys(TestRelay.PASSWORD, Keys.ENTER);
        browser.awaitTitle("Devices · device-tunnel");
        awaitOnline("dev-1", true);
        awaitOnline("lab-2", false);
        assertThat(browser.find("#devices").getAttribute("aria-label")).isEqualTo("Devices");
        assertThat(browser.find("#devices-summary").getAttribute("aria-live")).isEqualTo("polite");
        assertThat(browser.axeViolations()).as("axe on the device list").isEmpty();

        // From the filter, ArrowDown reaches the first card (dev-1 sorts first: online), Enter opens it.
        browser.find("#device-filter").sendKeys(Keys.ARROW_DOWN);
        browser.await("dev-1's card focused", d -> "dev-1".equals(d.switchTo().activeElement().getAttribute("data-device-id")));
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.await("one terminal tab", d -> tabCount() == 1);
        browser.awaitStatus("connected");
        WebElement status = browser.find(".terminal-panel.active .status-line");
        assertThat(status.getAttribute("role")).isEqualTo("status");
        browser.typeInTerminal("echo keys-$((4+4))", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("keys-8"));

        // A double-click on a card opens a terminal too.
        new org.openqa.selenium.interactions.Actions(browser.driver()).doubleClick(row("dev-1").findElement(By.cssSelector(".device-name"))).perform();
        browser.await("two terminal tabs", d -> tabCount() == 2);
        browser.awaitStatus("connected");

        // The tab strip is a tablist: the focus goes there with the shortcut, arrows switch tabs.
        browser.typeInTerminal(Keys.chord(Keys.CONTROL, Keys.SHIFT, Keys.ARROW_UP));
        browser.await("a tab focused", d -> "tab".equals(d.switchTo().activeElement().getAttribute("role")));
        WebElement second = browser.driver().switchTo().activeElement();
        assertThat(second.getAttribute("aria-selected")).isEqualTo("true");
        second.sendKeys(Keys.ARROW_LEFT);
        browser.await("the first tab selected", d -> "true".equals(
                d.findElements(By.cssSelector("#tabs [role=tab]")).get(0).getAttribute("aria-selected")));
        browser.await("the first terminal shown", d -> browser.terminalHasLine("keys-8"));
        browser.shot("keyboard-and-double-click");
        assertThat(browser.axeViolations()).as("axe with two terminal tabs").isEmpty();

        // Delete on a tab closes it (the × beside it is for the mouse only).
        browser.driver().switchTo().activeElement().sendKeys(Keys.DELETE);
        browser.await("one terminal tab left", d -> tabCount() == 1);
        assertThat(browser.driver().switchTo().activeElement().getAttribute("role")).isEqualTo("tab");
    }

    @Test
    void aTabClosedBecauseItsDeviceWasLostOffersToReconnectOnceTheDeviceIsBack() throws Exception {
        Path state = dir.resolve("agent-dev-1");
        String enrollment = relay.enrollmentToken(false, true, Map.of());
        browser.open(relay.baseUrl() + "/");
        browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
        try (AgentProcess agent = AgentProcess.start(relay.baseUrl(), "dev-1", enrollment, state)) {
            relay.awaitOnline("dev-1", true, Duration.ofSeconds(60)); // a fresh JVM on a busy machine
            awaitOnline("dev-1", true);
            row("dev-1").findElement(By.cssSelector(".open-terminal")).click();
            browser.awaitStatus("connected");
            browser.typeInTerminal("echo before-$((2*2))", Keys.ENTER);
            browser.awaitTerminalLine(Pattern.compile("before-4"));
            agent.kill(); // SIGKILL: no goodbye, the relay finds the device stream gone
            String lost = browser.awaitStatus("closed");
            assertThat(lost).contains("connection to the device was lost")
                    .doesNotContain("The device is offline or unreachable: The connection");
            assertThat(browser.find(".terminal-panel.active .restart-button").getText()).isEqualTo("New session");
        }
        try (AgentProcess back = AgentProcess.start(relay.baseUrl(), "dev-1", enrollment, state)) {
            String offered = browser.await("the reconnect offer", Duration.ofSeconds(60),
                    d -> browser.activeStatus().contains("The device is online again") ? browser.activeStatus() : null);
            assertThat(offered).contains("reconnect for a new session");
            WebElement reconnect = browser.find(".terminal-panel.active .restart-button");
            assertThat(reconnect.getText()).isEqualTo("Reconnect");
            browser.shot("device-back-reconnect-offered");
            reconnect.click();
            browser.awaitStatus("connected");
            browser.typeInTerminal("echo after-$((3*3))", Keys.ENTER);
            browser.awaitTerminalLine(Pattern.compile("after-9"));
        }
    }

    @Test
    void afterARelayOutageThatLostTheSessionTheTabSaysSoAtOnceAndOffersANewOne() throws Exception {
        relay.onlineDevice("dev-1");
        // The browser reaches the relay through a proxy that can play a crashed relay (the agent does not).
        try (TcpProxy front = new TcpProxy(relay.server().port(), 0)) {
            browser.open(front.baseUrl() + "/");
            browser.login(TestRelay.ADMIN, TestRelay.PASSWORD);
            awaitOnline("dev-1", true);
            row("dev-1").findElement(By.cssSelector(".open-terminal")).click();
            browser.awaitStatus("connected");
            browser.typeInTerminal("echo up-$((5*5))", Keys.ENTER);
            browser.awaitTerminalLine(Pattern.compile("up-25"));
            String sessionId = relay.server().sessions().all().iterator().next().id();

            front.down(true);
            // Down long enough for the resume backoff to reach its cap: 10 s between tries.
            browser.await("the longest wait before the next try", Duration.ofSeconds(60),
                    d -> browser.activeStatus().contains("next try in 10 s") ? true : null);
            // Meanwhile the session ended on the relay's side (as a restarted relay would not have it).
            assertThat(relay.send("DELETE", "/api/v1/sessions/" + sessionId, relay.adminToken(), null).statusCode()).isLessThan(300);
            front.down(false);
            long back = System.nanoTime();
            String gone = browser.await("the tab to say the session is gone", Duration.ofSeconds(20),
                    d -> browser.activeStatus().contains("no longer exists") ? browser.activeStatus() : null);
            assertThat(Duration.ofNanos(System.nanoTime() - back)).as("said at once, not after the backoff")
                    .isLessThan(Duration.ofSeconds(7)); // without the device list nudging it the next try waits out the 10 s (with an 8 s wait it failed at 7.4 s)
            assertThat(gone).contains("start a new session");
            WebElement fresh = browser.find(".terminal-panel.active .restart-button");
            assertThat(fresh.isDisplayed()).isTrue();
            browser.shot("relay-outage-session-gone");
            fresh.click();
            browser.awaitStatus("connected");
            browser.typeInTerminal("echo new-$((6*6))", Keys.ENTER);
            browser.awaitTerminalLine(Pattern.compile("new-36"));
        }
    }

    private int tabCount() {
        return browser.driver().findElements(By.cssSelector("#tabs .tab[data-session-tab]")).size();
    }

    private WebElement row(String deviceId) {
        return browser.find("#devices [data-device-id='" + deviceId + "']");
    }

    private void awaitOnline(String deviceId, boolean online) {
        browser.await(deviceId + " shown " + (online ? "online" : "offline"), d -> browser
                .findOptional("#devices [data-device-id='" + deviceId + "'][data-online='" + online + "']").orElse(null));
    }

    /** Asks the shell for its PTY size and waits for the answer the browser's size implies. */
    private void awaitStty(Browser.TerminalSize size) {
        browser.typeInTerminal("echo size-$(stty size | tr ' ' x)", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("size-" + size.rows() + "x" + size.cols()));
    }

    /** A token signed with the relay's own key whose lifetime ended well beyond the clock skew allowed. */
    private String expiredAdminToken() throws Exception {
        byte[] secret = Files.readString(relay.dir().resolve("relay").resolve("jwt.secret")).strip().getBytes(StandardCharsets.UTF_8);
        Clock longAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        User admin = relay.server().users().find(TestRelay.ADMIN).orElseThrow();
        return new TokenService(secret, Duration.ofHours(1), longAgo, null).issue(admin).token();
    }
}
