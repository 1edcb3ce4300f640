package devicetunnel.relay.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.OperatorCli;
import devicetunnel.relay.support.SsoClient;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestIdp;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OpenID Connect sign-in against a real provider in this JVM: the code flow end to end, and each
 * check the relay must make on what comes back (audience, expiry, nonce, replay, rotated keys), the
 * mapping from groups to role and labels at every sign-in, and the password switch.
 */
@Timeout(90)
class OidcIT extends WithSsoRelay {
    final SsoClient browser = new SsoClient();

    @BeforeEach
    void startRelay() throws Exception {
        start(c -> c.withOidc(idp.settings()));
    }

    @Test
    void firstSignInCreatesTheAccountFromTheGroupsAndLogsInWithTheSessionCookie() throws Exception {
        JsonNode provider = Json.MAPPER.readTree(relay.get("/api/v1/auth/oidc", null).body());
        assertThat(provider.path("provider").asText()).isEqualTo(TestIdp.PROVIDER);

        idp.nextUser("sub-olga", "olga", List.of("staff", "dt-ops"));
        URI providerUrl = browser.start(relay.baseUrl());
        assertThat(providerUrl.toString()).startsWith(idp.issuer().toString())
                .contains("code_challenge_method=S256", "nonce=", "state=", "client_id=" + TestIdp.CLIENT_ID);
        HttpResponse<String> last = browser.get(browser.authorize(providerUrl));

        assertThat(SsoClient.location(last).getPath()).isEqualTo("/");
        String session = browser.cookie(URI.create(relay.baseUrl()), "dt_session");
        assertThat(session).isNotBlank();
        JsonNode me = Json.MAPPER.readTree(relay.get("/api/v1/auth/me", session).body());
        assertThat(me.path("username").asText()).isEqualTo("olga");
        assertThat(me.path("role").asText()).isEqualTo("operator");
        User olga = relay.server().users().find("olga").orElseThrow();
        assertThat(olga.allowedLabels()).isEqualTo(Map.of("env", "lab"));
        assertThat(olga.passwordHash()).startsWith("oidc:");
        assertThat(auditDetails("user.sso_created")).anyMatch(d -> d.contains("operator"));
        assertThat(auditDetails("login.sso_ok")).hasSize(1);
        assertThat(relay.post("/api/v1/auth/login", null, "{\"username\":\"olga\",\"password\":\"oidc:x\"}").statusCode())
                .as("an SSO account has no password").isEqualTo(401);
    }

    @Test
    void anIdTokenForAnotherAudienceIsRefused() throws Exception {
        idp.nextToken("sub-olga", "olga", List.of("dt-ops"), List.of("some-other-app"), 3600);
        assertRefused(browser.signIn(relay.baseUrl()), "audience");
        assertThat(auditDetails("login.sso_ok")).isEmpty();
    }

    @Test
    void anExpiredIdTokenIsRefused() throws Exception {
        idp.nextToken("sub-olga", "olga", List.of("dt-ops"), List.of(TestIdp.CLIENT_ID), -600);
        assertRefused(browser.signIn(relay.baseUrl()), "expired");
        assertThat(auditDetails("login.sso_ok")).isEmpty();
    }

    @Test
    void anIdTokenWithAnotherNonceIsRefused() throws Exception {
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        // An attacker's authorization request: same state and PKCE, but their own nonce.
        URI providerUrl = SsoClient.withParam(browser.start(relay.baseUrl()), "nonce", "attackers-nonce");
        assertRefused(browser.get(browser.authorize(providerUrl)), "nonce");
        assertThat(auditDetails("login.sso_ok")).isEmpty();
    }

    @Test
    void aReplayedCallbackOrCodeIsRefused() throws Exception {
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        URI relayBase = URI.create(relay.baseUrl());
        URI providerUrl = browser.start(relay.baseUrl());
        Map<String, String> stateCookie = browser.cookies(relayBase);
        URI callback = browser.authorize(providerUrl);
        assertThat(browser.get(callback).statusCode()).isEqualTo(302);

        // The same answer again, with the sign-in cookie it came with: the state was used.
        browser.setCookies(relayBase, stateCookie);
        assertRefused(browser.get(callback), null);
        // The captured code inside a fresh sign-in of the attacker's: refused by the provider (code used) or,
        // where the provider does not bind codes to one use (this one), by the nonce that fresh sign-in expects.
        URI fresh = browser.start(relay.baseUrl());
        String freshState = SsoClient.param(fresh, "state");
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        assertRefused(browser.get(SsoClient.withParam(callback, "state", freshState)), "refused|nonce");
        assertThat(auditDetails("login.sso_ok")).hasSize(1);
    }

    @Test
    void aRotatedProviderKeyIsFetchedAndTrusted() throws Exception {
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        assertThat(browser.signIn(relay.baseUrl()).statusCode()).isEqualTo(302);
        String before = idp.currentKeyId();

        assertThat(idp.rotateKey()).isNotEqualTo(before);
        SsoClient other = new SsoClient();
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        HttpResponse<String> second = other.signIn(relay.baseUrl());
        assertThat(second.statusCode()).as(second.body()).isEqualTo(302);
        assertThat(auditDetails("login.sso_ok")).hasSize(2);
    }

    @Test
    void losingTheGroupRefusesTheNextSignInAndEndsOpenSessions() throws Exception {
        relay.onlineDevice("lab-1", Map.of("env", "lab"));
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        browser.signIn(relay.baseUrl());
        String session = browser.cookie(URI.create(relay.baseUrl()), "dt_session");
        try (TerminalClient terminal = relay.terminal("lab-1", session, 80, 24)) {
            terminal.awaitSessionId(Duration.ofSeconds(20));

            // The provider now puts olga only in "staff": the next sign-in is refused, the shell ends.
            idp.nextUser("sub-olga", "olga", List.of("staff"));
            HttpResponse<String> refused = new SsoClient().signIn(relay.baseUrl());
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(terminal.awaitClose(Duration.ofSeconds(20))).isEqualTo(4403);
        }
        assertThat(relay.server().users().find("olga")).isEmpty();
        assertThat(relay.get("/api/v1/auth/me", session).statusCode()).isEqualTo(401);
        assertThat(auditDetails("login.sso_refused")).anyMatch(d -> d.contains("no mapping rule"));
    }

    @Test
    void aChangedGroupChangesTheRoleAtTheNextSignIn() throws Exception {
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        browser.signIn(relay.baseUrl());
        idp.nextUser("sub-olga", "olga", List.of("dt-admins"));
        new SsoClient().signIn(relay.baseUrl());
        assertThat(relay.server().users().find("olga").orElseThrow().role()).isEqualTo(User.Role.ADMIN);
        assertThat(auditDetails("user.sso_updated")).anyMatch(d -> d.contains("admin"));
    }

    @Test
    void aLocalAccountCannotBeTakenOverBySso() throws Exception {
        idp.nextUser("sub-mallory", TestRelay.ADMIN, List.of("dt-admins"));
        assertThat(browser.signIn(relay.baseUrl()).statusCode()).isEqualTo(403);
        assertThat(relay.server().users().find(TestRelay.ADMIN).orElseThrow().passwordHash()).doesNotStartWith("oidc:");
    }

    @Test
    void devtunnelLoginSsoSignsInThroughTheBrowserAndKeepsTheRelayToken() throws Exception {
        relay.onlineDevice("lab-1", Map.of("env", "lab"));
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        OperatorCli cli = new OperatorCli(dir.resolve("cli"));
        // The "browser": curl following every redirect (relay, provider, relay, the CLI's loopback) with cookies.
        Path browserScript = dir.resolve("browser.sh");
        Files.writeString(browserScript, "#!/bin/sh\nexec curl -sS -L -b " + dir.resolve("jar") + " -c " + dir.resolve("jar")
                + " -o " + dir.resolve("browser.out") + " \"$1\"\n");
        Files.setPosixFilePermissions(browserScript, PosixFilePermissions.fromString("rwx------"));

        OperatorCli.Result login = cli.devtunnelOutput("login", "--sso", "--relay", relay.baseUrl(), "--browser", browserScript.toString());
        assertThat(login.exitCode()).as(login.stderr()).isZero();
        assertThat(login.stderr()).contains(relay.baseUrl() + "/api/v1/auth/oidc/start?cli_port=");
        assertThat(login.stdout()).contains("as olga");
        // The CLI may exit on the loopback callback before curl has written the page it got back.
        Path page = dir.resolve("browser.out");
        org.awaitility.Awaitility.await("the browser's last page").atMost(java.time.Duration.ofSeconds(20))
                .until(() -> Files.exists(page) && Files.readString(page).contains("Signed in"));
        OperatorCli.Result devices = cli.devtunnelOutput("devices", "--json");
        assertThat(devices.exitCode()).as(devices.stderr()).isZero();
        assertThat(devices.stdout()).contains("lab-1");
        assertThat(auditDetails("login.sso_cli")).hasSize(1);
    }

    @Test
    void theCliCodeIsWorthlessWithoutTheVerifierAndUsableOnce() throws Exception {
        idp.nextUser("sub-olga", "olga", List.of("dt-ops"));
        String verifier = "v".repeat(43);
        String challenge = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                java.security.MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        URI providerUrl = SsoClient.location(browser.get(URI.create(relay.baseUrl()
                + "/api/v1/auth/oidc/start?cli_port=40000&cli_challenge=" + challenge)));
        URI loopback = SsoClient.location(browser.get(browser.authorize(providerUrl)));
        assertThat(loopback.toString()).startsWith("http://127.0.0.1:40000/callback?code=");
        String code = java.net.URLDecoder.decode(SsoClient.param(loopback, "code"), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(relay.send("POST", "/api/v1/auth/oidc/cli-token", null, Map.of("code", code, "verifier", "w".repeat(43)))
                .statusCode()).isEqualTo(401);
        assertThat(relay.send("POST", "/api/v1/auth/oidc/cli-token", null, Map.of("code", code, "verifier", verifier))
                .statusCode()).isEqualTo(200);
        assertThat(relay.send("POST", "/api/v1/auth/oidc/cli-token", null, Map.of("code", code, "verifier", verifier))
                .statusCode()).as("used once").isEqualTo(401);
    }

    @Test
    void withPasswordLoginOffOnlyTheBreakGlassAccountLogsInWithAPassword() throws Exception {
        try (TestRelay closed = new TestRelay(dir.resolve("closed"), c -> c.withOidc(idp.settings(false, Set.of(TestRelay.ADMIN))))) {
            closed.addUser("local-op", "a long local password", User.Role.OPERATOR, Map.of());
            HttpResponse<String> refused = closed.post("/api/v1/auth/login", null,
                    "{\"username\":\"local-op\",\"password\":\"a long local password\"}");
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("sign in with " + TestIdp.PROVIDER);
            assertThat(closed.adminToken()).as("break-glass admin").isNotBlank();
        }
    }

    /** A 401 that logs nobody in, audited with the reason. */
    private void assertRefused(HttpResponse<String> response, String why) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("dt_session=") && !c.startsWith("dt_session=;"));
        if (why != null) {
            assertThat(auditDetails("login.sso_failed")).anyMatch(d -> d.toLowerCase().matches("(?s).*(" + why + ").*"));
        }
    }

    private List<String> auditDetails(String event) throws Exception {
        JsonNode entries = Json.MAPPER.readTree(relay.get("/api/v1/audit?event=" + event, relay.adminToken()).body());
        List<String> details = new java.util.ArrayList<>();
        entries.forEach(e -> details.add(e.path("detail").asText("")));
        return details;
    }
}
