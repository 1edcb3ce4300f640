package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.share.SessionShares;
import devicetunnel.relay.ssh.Watcher;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.Browser;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * Sharing a live session and several terminals at once, in two real browsers: the owner's (admin)
 * and a second operator's (bob). Screenshots under {@code relay-server/target/screenshots/}.
 */
@Timeout(240)
class ShareBrowserIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final Browser owner = Browser.perTestClass();
    @RegisterExtension
    static final Browser watcher = Browser.perTestClass("watcher");

    @TempDir
    Path dir;
    TestRelay relay;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir);
        relay.addUser("bob", "bob's long password", User.Role.OPERATOR, Map.of());
        relay.onlineDevice("dev-1");
        assertThat(relay.send("PATCH", "/api/v1/devices/dev-1/features", relay.adminToken(), Map.of("recording", "on"))
                .statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void aWatcherReadsOnlyAJoinerTypesAfterConsentARevokeEndsThemAndAnExpiredLinkIsRefused() throws Exception {
        login(owner, TestRelay.ADMIN, TestRelay.PASSWORD);
        openTerminal(owner, "dev-1");
        owner.typeInTerminal("echo owner-$((6*7))", Keys.ENTER);
        owner.awaitTerminalLine(Pattern.compile("owner-42"));

        // A read-only link: the watcher sees what was printed before and after joining, and cannot type.
        String link = createLink("watch");
        login(watcher, "bob", "bob's long password");
        watcher.open(link);
        watcher.awaitText(".terminal-panel.active .watch-banner", "Watching admin's session — read-only.");
        awaitText(watcher, "the output from before joining", "owner-42");
        owner.awaitTerminalLine(Pattern.compile(".*\\[device-tunnel\\] bob is watching this session \\(read-only\\).*"));
        WebElement listed = owner.await("bob in the owner's watcher list",
                d -> owner.findOptional(".share-panel li[data-watcher='bob']").orElse(null));
        assertThat(listed.getText()).contains("read-only");
        assertThat(watcher.axeViolations()).as("axe on the watching tab").isEmpty();

        watcher.typeInTerminal("echo intruder-$((1+1))", Keys.ENTER);
        watcher.awaitText(".terminal-panel.active .watch-banner", "Typing refused");
        owner.typeInTerminal("echo after-$((2*3))", Keys.ENTER);
        owner.awaitTerminalLine(Pattern.compile("after-6"));
        awaitText(watcher, "output after joining", "after-6");
        assertThat(owner.terminalText()).doesNotContain("intruder-2");
        assertThat(watcher.terminalText()).doesNotContain("intruder-2");
        watcher.shot("watching-read-only");
        owner.shot("owner-sees-watcher");

        // Revoking ends the watcher at once.
        owner.find(".share-panel li[data-watcher='bob'] button[data-action='remove-watcher']").click();
        watcher.awaitText(".terminal-panel.active .status-line", "admin stopped sharing this session with you");
        owner.await("the watcher list emptied", d -> owner.findOptional(".share-panel li[data-watcher='bob']").isEmpty() ? true : null);

        // A join link: read-only until the owner allows typing.
        String join = createLink("join");
        watcher.open(join);
        watcher.awaitText(".terminal-panel.active .watch-banner", "you may type once admin allows it");
        owner.await("bob asking to type", d -> owner
                .findOptional(".share-panel li[data-watcher='bob'] button[data-action='allow-typing']").orElse(null));
        watcher.typeInTerminal("echo early-$((4*4))", Keys.ENTER);
        watcher.awaitText(".terminal-panel.active .watch-banner", "Typing refused");
        owner.find(".share-panel li[data-watcher='bob'] button[data-action='allow-typing']").click();
        watcher.awaitText(".terminal-panel.active .watch-banner", "You may type");
        owner.awaitTerminalLine(Pattern.compile(".*\\[device-tunnel\\] bob may now type in this session.*"));
        watcher.typeInTerminal("echo joined-$((3*3))", Keys.ENTER);
        owner.awaitTerminalLine(Pattern.compile("joined-9"));
        assertThat(owner.terminalText()).doesNotContain("early-16");
        watcher.shot("joiner-typing");

        // An expired link admits nobody, and says why.
        String sessionId = sessionIdOf("dev-1");
        SessionShares.Link expired = relay.server().sharing().shares()
                .createLink(sessionId, "dev-1", TestRelay.ADMIN, Watcher.Mode.WATCH, Duration.ofMillis(1));
        watcher.open(relay.baseUrl() + "/#watch=" + sessionId + "&share=" + expired.token());
        watcher.awaitText(".terminal-panel.active .status-line", "The share link has expired");

        List<String> events = relay.server().audit().recent(100).stream().map(e -> e.event()).toList();
        assertThat(events).contains("share.created", "session.watch.joined", "session.watch.revoked",
                "session.watch.typing_allowed", "session.watch.refused");
    }

    @Test
    void tiledPanesShowTwoShellsAndBroadcastTypingReachesOnlyTheMarkedOnes() throws Exception {
        relay.onlineDevice("dev-2");
        login(owner, TestRelay.ADMIN, TestRelay.PASSWORD);
        openTerminal(owner, "dev-1");
        openTerminal(owner, "dev-2");
        owner.find("#tile-toggle").click();
        owner.await("two panes side by side", d -> owner.driver().findElements(By.cssSelector("#panels.tiled .terminal-panel"))
                .stream().filter(WebElement::isDisplayed).count() == 2 ? true : null);
        List<WebElement> boxes = owner.driver().findElements(By.cssSelector(".terminal-panel .broadcast-toggle"));
        boxes.get(0).click();
        boxes.get(1).click();
        owner.awaitText("#broadcast-banner", "all 2 marked panes");
        owner.find(".terminal-panel[data-device-id='dev-2'] .terminal-host").click();
        owner.typeInTerminal("echo both-$((5*5))", Keys.ENTER);
        owner.await("the broadcast line in both shells", WAIT, d -> texts().stream()
                .allMatch(t -> t.lines().anyMatch(l -> l.strip().equals("both-25"))) ? true : null);
        owner.shot("tiled-broadcast");

        boxes.get(0).click(); // dev-1 out of the broadcast
        owner.awaitText("#broadcast-banner", "all 1 marked pane");
        owner.find(".terminal-panel[data-device-id='dev-2'] .terminal-host").click();
        owner.typeInTerminal("echo only-$((7*7))", Keys.ENTER);
        owner.await("the line in dev-2's shell", WAIT, d -> texts().get(1).contains("only-49") ? true : null);
        owner.find(".terminal-panel[data-device-id='dev-1'] .terminal-host").click();
        owner.typeInTerminal("echo mark-$((8*8))", Keys.ENTER);
        owner.await("dev-1's own line", WAIT, d -> texts().get(0).contains("mark-64") ? true : null);
        assertThat(texts().get(0)).doesNotContain("only-49");
        assertThat(texts().get(1)).doesNotContain("mark-64");
        boxes.get(1).click();
        assertThat(owner.find("#broadcast-banner").isDisplayed()).isFalse();
    }

    @SuppressWarnings("unchecked")
    private List<String> texts() {
        return (List<String>) ((JavascriptExecutor) owner.driver()).executeScript("return window.deviceTunnel.terminalTexts();");
    }

    /** Creates a link in the owner's Share panel and returns it. */
    private String createLink(String mode) {
        WebElement panel = owner.find(".terminal-panel.active .share-panel");
        if (!panel.isDisplayed()) {
            owner.find(".terminal-panel.active .share-button").click();
        }
        new Select(panel.findElement(By.cssSelector("select[name='mode']"))).selectByValue(mode);
        WebElement previous = owner.findOptional(".terminal-panel.active .share-link").orElse(null);
        panel.findElement(By.cssSelector("button[data-action='create-link']")).click();
        WebElement field = owner.await("the new link", d -> owner.findOptional(".terminal-panel.active .share-link")
                .filter(f -> f != previous).orElse(null));
        String link = field.getAttribute("value");
        assertThat(link).startsWith(relay.baseUrl() + "/#watch=");
        owner.find(".terminal-panel.active .terminal-host").click(); // typing goes to the shell again
        return link;
    }

    private String sessionIdOf(String deviceId) throws Exception {
        JsonNode list = Json.MAPPER.readTree(relay.get("/api/v1/sessions?deviceId=" + deviceId, relay.adminToken()).body());
        return list.get(0).get("id").asText();
    }

    private static void awaitText(Browser b, String what, String text) {
        b.await(what, WAIT, d -> b.terminalText().contains(text) ? true : null);
    }

    private void login(Browser b, String user, String password) {
        b.open(relay.baseUrl() + "/");
        WebElement name = b.await("the login form", d -> b.findOptional("#username").filter(WebElement::isDisplayed).orElse(null));
        name.sendKeys(user);
        b.find("#password").sendKeys(password, Keys.ENTER);
        b.awaitTitle("Devices · device-tunnel");
    }

    private void openTerminal(Browser b, String deviceId) {
        WebElement row = b.await(deviceId + " online", d -> b
                .findOptional("#devices [data-device-id='" + deviceId + "'][data-online='true']").orElse(null));
        row.findElement(By.cssSelector(".open-terminal")).click();
        b.await("a connected terminal on " + deviceId, WAIT, d -> b
                .findOptional(".terminal-panel[data-device-id='" + deviceId + "'] .status-line[data-state='connected']").orElse(null));
    }
}
