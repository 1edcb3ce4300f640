package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.agent.Agent;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.Browser;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The administration in the console, in a real browser against a real relay and real agents:
 * accepting a pending device, enrolling an agent with a token made in the console, adding an
 * operator who then logs in, watching a recording to its end, finding an audit event. Every
 * administration view is checked with axe. Screenshots under {@code relay-server/target/screenshots/}.
 */
@Timeout(150)
class AdminConsoleIT {
    private static final Pattern TOKEN_LINE = Pattern.compile("printf '%s\\\\n' '([^']+)' > enroll\\.token");

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
    void anAdminAcceptsAPendingDeviceComparingItsFingerprintThenRelabelsAndSwitchesIt() throws Exception {
        // A real agent enrolled with a token that does not auto-accept: pending, retrying until accepted.
        Agent agent = relay.startAgent("pend-1", dir.resolve("agent-pend-1"),
                relay.tokenFile(relay.enrollmentToken(false, false, Map.of("site", "lab"))));
        loginAsAdmin();
        openView("devices-admin", "Manage devices");
        WebElement pending = browser.await("pend-1 listed as pending", d -> browser
                .findOptional("#devices-admin tr[data-device-id='pend-1'] .fingerprint").map(e -> e.findElement(By.xpath("./ancestor::tr"))).orElse(null));
        assertThat(pending.findElement(By.cssSelector(".fingerprint")).getText()).isEqualTo(sshKeygenFingerprint(agent.hostPublicKey()));
        assertThat(browser.axeViolations()).as("axe on the devices view").isEmpty();
        browser.shot("pending-device");

        pending.findElement(By.cssSelector("button[data-action='accept']")).click();
        relay.awaitOnline("pend-1", true, Duration.ofSeconds(20));
        browser.awaitText("#devices-admin .view-status", "pend-1 accepted.");

        WebElement row = enrolledRow("pend-1");
        WebElement labels = row.findElement(By.cssSelector("input[name='labels']"));
        labels.clear();
        labels.sendKeys("site=office,rack=7", Keys.ENTER);
        browser.awaitText("#devices-admin .view-status", "pend-1: labels saved.");
        assertThat(relay.server().devices().find("pend-1").orElseThrow().labels()).isEqualTo(Map.of("site", "office", "rack", "7"));

        enrolledRow("pend-1").findElement(By.cssSelector("input[name='sftp']")).click();
        browser.awaitText("#devices-admin .view-status", "pend-1: sftp off.");
        new Select(enrolledRow("pend-1").findElement(By.cssSelector("select[name='recording']"))).selectByValue("required");
        browser.awaitText("#devices-admin .view-status", "pend-1: recording required");
        JsonNode device = Json.MAPPER.readTree(relay.get("/api/v1/devices/pend-1", relay.adminToken()).body());
        assertThat(device.get("features").get("sftp").asBoolean()).isFalse();
        assertThat(device.get("recording").asText()).isEqualTo("required");

        // Bad labels are said in words, and nothing changes.
        labels = enrolledRow("pend-1").findElement(By.cssSelector("input[name='labels']"));
        labels.clear();
        labels.sendKeys("no equals sign", Keys.ENTER);
        browser.awaitText("#devices-admin .view-status", "is not a label");
        assertThat(relay.server().devices().find("pend-1").orElseThrow().labels()).containsEntry("rack", "7");
        browser.shot("device-edited");
    }

    @Test
    void aTokenMadeInTheConsoleEnrollsARealAgent() throws Exception {
        loginAsAdmin();
        openView("enrollments", "Enrollment tokens");
        browser.find("#enrollments input[name='autoAccept']").click();
        WebElement labels = browser.find("#enrollments input[name='labels']");
        labels.sendKeys("env=field");
        browser.find("#create-enrollment").click();
        String command = browser.await("the agent command", d -> browser.findOptional("#agent-command")
                .map(WebElement::getText).filter(t -> !t.isBlank()).orElse(null));
        assertThat(command).contains("--relay '" + relay.baseUrl() + "'", "--enrollment-token-file enroll.token", "--allow-plain-http");
        Matcher token = TOKEN_LINE.matcher(command);
        assertThat(token.find()).as(command).isTrue();
        assertThat(browser.axeViolations()).as("axe on the enrollment view").isEmpty();
        browser.shot("token-created");

        relay.startAgent("field-1", dir.resolve("agent-field-1"), relay.tokenFile(token.group(1)));
        relay.awaitOnline("field-1", true, Duration.ofSeconds(20));
        assertThat(relay.server().devices().find("field-1").orElseThrow().labels()).isEqualTo(Map.of("env", "field"));

        // Used up: the list says so after a refresh; the command is not shown again.
        openView("devices-admin", "Manage devices");
        openView("enrollments", "Enrollment tokens");
        assertThat(browser.findOptional("#agent-command")).isEmpty();
        browser.awaitText("#enrollments tbody", "used up or expired");
    }

    @Test
    void anOperatorAddedInTheConsoleLogsInAndSeesNoAdministration() throws Exception {
        loginAsAdmin();
        openView("users", "Users");
        browser.find("#add-user input[name='username']").sendKeys("olga");
        new Select(browser.find("#add-user select[name='role']")).selectByValue("operator");
        browser.find("#add-user input[name='labels']").sendKeys("site=lab");
        browser.find("#add-user input[name='password']").sendKeys("olga password 1", Keys.ENTER);
        browser.awaitText("#users .view-status", "olga added.");
        browser.awaitText("#users tr[data-username='olga']", "olga");
        assertThat(relay.server().users().find("olga").orElseThrow().allowedLabels()).isEqualTo(Map.of("site", "lab"));
        assertThat(browser.axeViolations()).as("axe on the users view").isEmpty();
        browser.shot("user-added");

        browser.find("#logout").click();
        browser.awaitTitle("Login · device-tunnel");
        browser.login("olga", "olga password 1");
        browser.awaitTitle("Devices · device-tunnel");
        assertThat(navViews()).containsExactly("terminals", "runs", "inventory", "recordings", "account");

        // Olga's own password change ends her login; the new one works.
        openView("account", "My account");
        browser.find("#change-password input[name='current-password']").sendKeys("olga password 1");
        browser.find("#change-password input[name='new-password']").sendKeys("olga password 2");
        browser.find("#change-password input[name='new-password-again']").sendKeys("olga password 2", Keys.ENTER);
        browser.awaitTitle("Login · device-tunnel");
        browser.awaitText("#login-error", "Password changed");
        browser.login("olga", "olga password 2");
        browser.awaitTitle("Devices · device-tunnel");
    }

    @Test
    void aRecordedTerminalSessionPlaysToItsEndInTheConsole() throws Exception {
        relay.onlineDevice("dev-1");
        assertThat(relay.send("PATCH", "/api/v1/devices/dev-1/features", relay.adminToken(), Map.of("recording", "on"))
                .statusCode()).isEqualTo(200);
        loginAsAdmin();
        browser.await("dev-1 online", d -> browser.findOptional("#devices [data-device-id='dev-1'][data-online='true']").orElse(null));
        browser.find("#devices [data-device-id='dev-1'] .open-terminal").click();
        browser.awaitStatus("connected");
        browser.typeInTerminal("echo rec-$((6*7))", Keys.ENTER);
        browser.awaitTerminalLine(Pattern.compile("rec-42"));
        browser.find("#tabs .tab-close").click();
        browser.await("the recording finished", d -> {
            try {
                JsonNode list = Json.MAPPER.readTree(relay.get("/api/v1/recordings?deviceId=dev-1", relay.adminToken()).body());
                return list.size() == 1 && !list.get(0).get("endedAt").isNull();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        openView("recordings", "Recordings");
        WebElement play = browser.await("the recording listed", d -> browser
                .findOptional("#recordings tr[data-recording-id] button[data-action='play']").orElse(null));
        assertThat(browser.axeViolations()).as("axe on the recordings view").isEmpty();
        play.click();
        browser.await("the player to reach the end", Duration.ofSeconds(30),
                d -> browser.findOptional("#player[data-state='ended']").orElse(null));
        assertThat(browser.find("#player").getText()).contains("rec-42");
        assertThat(browser.find("#recordings tr[data-recording-id] a[download]").getAttribute("href")).endsWith("/cast");
        browser.shot("recording-ended");
        assertThat(relay.server().audit().recent(20, "recording.viewed", "dev-1")).isNotEmpty();
    }

    @Test
    void anEventIsFoundInTheAuditViewByOperatorAndEvent() throws Exception {
        relay.addUser("mallory", "mallory password 1", User.Role.VIEWER, Map.of());
        assertThat(relay.send("POST", "/api/v1/auth/login", null, Map.of("username", "mallory", "password", "guess 1"))
                .statusCode()).isEqualTo(401);
        relay.login("mallory", "mallory password 1");
        loginAsAdmin();
        openView("audit", "Audit");
        browser.await("the newest events", d -> browser.findOptional("#audit tr[data-event]").orElse(null));
        browser.find("#audit-filter input[name='operator']").sendKeys("mallory");
        browser.find("#audit-filter input[name='event']").sendKeys("login.failed", Keys.ENTER);
        browser.awaitText("#audit .view-status", "1 event on page 1.");
        List<WebElement> rows = browser.driver().findElements(By.cssSelector("#audit tbody tr"));
        assertThat(rows).singleElement().satisfies(r -> assertThat(r.getText()).contains("login.failed", "mallory"));
        assertThat(browser.find("#audit-older").isEnabled()).isFalse();
        assertThat(browser.axeViolations()).as("axe on the audit view").isEmpty();
        browser.shot("audit-filtered");
    }

    private void loginAsAdmin() {
        browser.loginAt(relay.baseUrl(), TestRelay.ADMIN, TestRelay.PASSWORD);
        assertThat(navViews()).containsExactly("terminals", "runs", "inventory", "devices-admin", "enrollments", "users", "audit", "recordings", "account");
    }

    private List<String> navViews() {
        return browser.driver().findElements(By.cssSelector("#view-nav button")).stream().map(b -> b.getAttribute("data-view")).toList();
    }

    private void openView(String view, String title) {
        browser.openView(view);
        browser.awaitTitle(title + " · device-tunnel");
    }

    private WebElement enrolledRow(String deviceId) {
        return browser.await(deviceId + " among the enrolled devices", d -> browser
                .findOptional("#devices-admin tr[data-device-id='" + deviceId + "'] input[name='labels']")
                .map(e -> e.findElement(By.xpath("./ancestor::tr"))).orElse(null));
    }

    /** What {@code ssh-keygen -lf} prints on the device for its host key: the fingerprint an admin compares. */
    private String sshKeygenFingerprint(String publicKeyLine) throws Exception {
        Path pub = Files.writeString(dir.resolve("host.pub"), publicKeyLine + "\n");
        Process p = new ProcessBuilder("ssh-keygen", "-lf", pub.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as(out).isZero();
        return out.split("\\s+")[1];
    }
}
