package devicetunnel.relay.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless chromium driven by Selenium, with the few moves the console tests need:
 * bounded waits, typing into the active terminal, reading its rendered text, and a numbered
 * screenshot per step under {@code target/screenshots/<test>/} so a failure can be looked at.
 *
 * <p>A browser test class registers one as a JUnit extension, which owns its life:
 * {@code @RegisterExtension static final Browser browser = Browser.perTestClass();} starts chromium
 * once for the class, gives each test its own screenshot folder and a logged-out browser, and saves
 * the evidence of a failed test.
 */
public final class Browser implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, AfterTestExecutionCallback {
    private static final Path CHROMIUM = Path.of(System.getProperty("browser.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("browser.chromedriver", "/usr/bin/chromedriver"));
    public static final Duration WAIT = Duration.ofSeconds(15);

    private static final Dimension DEFAULT_WINDOW = new Dimension(1280, 720);

    private ChromeDriver driver;
    private Path profile;
    private Path shots;
    private int step;

    /** Added to the screenshot folder's name, for a class with more than one browser. */
    private final String role;

    private Browser(String role) {
        this.role = role;
    }

    /** A browser that starts with the test class (see the class comment). */
    public static Browser perTestClass() {
        return new Browser("");
    }

    /** A second (third...) browser of one test class: its screenshots go to {@code <test>-<role>/}. */
    public static Browser perTestClass(String role) {
        return new Browser("-" + role);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        profile = Files.createTempDirectory("dt-chromium");
        driver = startChromium(profile);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        beginTest(context.getRequiredTestMethod().getName());
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            saveFailure();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        endTest();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            if (profile != null) {
                deleteTree(profile);
            }
        }
    }

    /**
     * Starts chromium with a fresh profile. Fails (never skips) when chromium or its driver is
     * missing: CI installs both, and a silently skipped browser test proves nothing.
     */
    private static ChromeDriver startChromium(Path profileDir) {
        require(CHROMIUM, "chromium");
        require(CHROMEDRIVER, "chromium-driver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--lang=en-US", "--window-size=1280,720",
                "--user-data-dir=" + profileDir.toAbsolutePath());
        // An explicit driver keeps Selenium Manager (which would try to download one) out of the way.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /**
     * Starting chromium costs seconds, so tests share one: each begins at the default window size
     * with its own screenshot folder, {@code target/screenshots/<test>/}.
     */
    private void beginTest(String testName) throws IOException {
        shots = Path.of("target", "screenshots", testName + role);
        deleteOldShots(shots);
        Files.createDirectories(shots);
        step = 0;
        driver.manage().window().setSize(DEFAULT_WINDOW);
    }

    /** Leaves no login behind for the next test (all test relays share the host 127.0.0.1). */
    private void endTest() {
        driver.manage().deleteAllCookies();
        driver.get("about:blank");
    }

    private static void require(Path executable, String debianPackage) {
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException("The browser tests need " + executable + ": install it with "
                    + "`apt-get install chromium chromium-driver` (package " + debianPackage + ").");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void deleteOldShots(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    /** Saves {@code NN-name.png} for the current step. */
    public void shot(String name) throws IOException {
        step++;
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        Files.write(shots.resolve(String.format("%02d-%s.png", step, name)), png);
    }

    /** After a failure: what the page looked like, its DOM, and the active terminal's text. */
    private void saveFailure() {
        try {
            Files.write(shots.resolve("failure.png"), driver.getScreenshotAs(OutputType.BYTES));
            Files.writeString(shots.resolve("failure.html"), driver.getPageSource(), StandardCharsets.UTF_8);
            Files.writeString(shots.resolve("failure-terminal.txt"), terminalText(), StandardCharsets.UTF_8);
        } catch (RuntimeException | IOException e) {
            System.err.println("could not save the failure evidence: " + e);
        }
    }

    /** Waits (bounded) until {@code condition} gives a non-null, non-false value and returns it. */
    public <T> T await(String what, Function<WebDriver, T> condition) {
        return await(what, WAIT, condition);
    }

    public <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
                .withMessage(() -> "waiting for " + what + " (title '" + driver.getTitle() + "')")
                .until(condition);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public Optional<WebElement> findOptional(String css) {
        return driver.findElements(By.cssSelector(css)).stream().findFirst();
    }

    public void awaitTitle(String title) {
        await("page title '" + title + "'", d -> title.equals(d.getTitle()));
    }

    /** Waits until the element's visible text contains {@code text}; returns the whole text. */
    public String awaitText(String css, String text) {
        return await("'" + text + "' in " + css,
                d -> findOptional(css).map(WebElement::getText).filter(t -> t.contains(text)).orElse(null));
    }

    /** Fills in the login form (waiting for it) and submits it with Enter. */
    public void login(String user, String password) {
        WebElement name = await("the login form", d -> findOptional("#username").filter(WebElement::isDisplayed).orElse(null));
        name.clear();
        name.sendKeys(user);
        WebElement pass = find("#password");
        pass.clear();
        pass.sendKeys(password, Keys.ENTER);
    }

    /** Opens the console at {@code baseUrl}, logs in and waits for the device list. */
    public void loginAt(String baseUrl, String user, String password) {
        open(baseUrl + "/");
        login(user, password);
        awaitTitle("Devices · device-tunnel");
    }

    /** Opens a view from the menu with the keyboard (focus + Enter), as someone without a mouse would. */
    public void openView(String view) {
        find("#view-nav button[data-view='" + view + "']").sendKeys(Keys.ENTER);
        await(view + " shown", d -> findOptional("#view-nav button[data-view='" + view + "'][aria-current='page']").orElse(null));
    }

    public String activeStatus() {
        return find(".terminal-panel.active .status-line").getText();
    }

    public String awaitStatus(String text) {
        return awaitText(".terminal-panel.active .status-line", text);
    }

    /** Types into the active terminal (xterm's hidden textarea has the keyboard focus). */
    public void typeInTerminal(CharSequence... keys) {
        find(".terminal-panel.active .xterm-helper-textarea").sendKeys(keys);
    }

    /** The active terminal's buffer as rendered by xterm.js (the UI's test hook). */
    public String terminalText() {
        Object text = driver.executeScript("return window.deviceTunnel ? window.deviceTunnel.activeTerminalText() : ''");
        return text == null ? "" : text.toString();
    }

    /** Columns and rows of the active xterm.js terminal. */
    public TerminalSize terminalSize() {
        @SuppressWarnings("unchecked")
        Map<String, Long> size = (Map<String, Long>) driver.executeScript("return window.deviceTunnel.activeTerminalSize()");
        return new TerminalSize(size.get("cols").intValue(), size.get("rows").intValue());
    }

    public record TerminalSize(int cols, int rows) {}

    /** Waits for a whole line of terminal output matching {@code line}. */
    public String awaitTerminalLine(Pattern line) {
        return await("a terminal line matching " + line, d -> Arrays.stream(terminalText().split("\n"))
                .map(String::strip)
                .filter(l -> line.matcher(l).matches())
                .findFirst().orElse(null));
    }

    public boolean terminalHasLine(String line) {
        return Arrays.stream(terminalText().split("\n")).map(String::strip).anyMatch(line::equals);
    }

    /**
     * Adds Chromium's virtual authenticator (WebDriver's WebAuthn extension): a platform key with
     * discoverable credentials and user verification, so passkey ceremonies run without hardware.
     */
    public org.openqa.selenium.virtualauthenticator.VirtualAuthenticator addPasskeyAuthenticator() {
        return driver.addVirtualAuthenticator(new org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions()
                .setProtocol(org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true)
                .setHasUserVerification(true)
                .setIsUserVerified(true)
                .setIsUserConsenting(true));
    }

    public void removeAuthenticator(org.openqa.selenium.virtualauthenticator.VirtualAuthenticator authenticator) {
        driver.removeVirtualAuthenticator(authenticator);
    }

    /** axe-core from web-ui's node_modules (npm ci of the web-ui build installs it; the version is pinned there). */
    private static final Path AXE_SOURCE = Path.of("..", "web-ui", "node_modules", "axe-core", "axe.min.js");

    /** Runs axe-core (the npm package web-ui pins) in the page; each violation as "rule (impact): nodes". */
    public java.util.List<String> axeViolations() throws IOException {
        if (!Boolean.TRUE.equals(driver.executeScript("return typeof window.axe === 'object'"))) {
            driver.executeScript(Files.readString(AXE_SOURCE));
        }
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        Object result = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, { resultTypes: ['violations'] }).then("
                + "  (r) => done(r.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' at '"
                + "      + v.nodes.map((n) => n.target.join(' ')).join(', '))),"
                + "  (e) => done(['axe failed: ' + e]));");
        @SuppressWarnings("unchecked")
        java.util.List<String> violations = (java.util.List<String>) result;
        return violations;
    }
}
