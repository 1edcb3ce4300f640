package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.TlsTrust;
import devicetunnel.agent.link.RelayEndpoint;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import devicetunnel.relay.tls.TlsFiles;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS/WSS from PEM or PKCS#12 files, with a self-signed certificate made by keytool for the test.
 * The agent trusts it through its CA file and refuses the relay without it; plain HTTP off loopback
 * needs an explicit flag.
 */
@Timeout(180)
class TlsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final char[] STORE_PASSWORD = "test-store-password".toCharArray();

    @TempDir
    Path dir;
    Path pkcs12;
    Path certPem;
    Path keyPem;

    @BeforeEach
    void makeCertificate() throws Exception {
        pkcs12 = dir.resolve("relay.p12");
        certPem = dir.resolve("relay.crt");
        keyPem = dir.resolve("relay.key");
        keytool("-genkeypair", "-alias", "relay", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", pkcs12.toString(), "-storepass", new String(STORE_PASSWORD));
        keytool("-exportcert", "-rfc", "-alias", "relay", "-keystore", pkcs12.toString(),
                "-storepass", new String(STORE_PASSWORD), "-file", certPem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pkcs12)) {
            store.load(in, STORE_PASSWORD);
        }
        Key key = store.getKey("relay", STORE_PASSWORD);
        Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    }

    @Test
    void servesWssFromPemFilesToAnAgentTrustingTheCaFile() throws Exception {
        SSLContext trust = TlsTrust.sslContext(certPem);
        HttpClient http = HttpClient.newBuilder().sslContext(trust).build();
        try (TestRelay relay = new TestRelay(dir, c -> c.withTls(TlsFiles.pem(certPem, keyPem)), http)) {
            assertThat(relay.baseUrl()).startsWith("https://");
            relay.startAgent("dev-1", dir.resolve("agent"), relay.tokenFile(relay.enrollmentToken(false, true, Map.of())),
                    trust, relay.baseUrl());
            relay.awaitOnline("dev-1", true);

            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/api/v1/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + TestRelay.PASSWORD + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            List<String> cookies = login.headers().allValues("Set-Cookie");
            assertThat(cookies).anySatisfy(c -> assertThat(c).contains("dt_session=").contains("Secure")
                    .contains("HttpOnly").containsIgnoringCase("SameSite=Strict"));

            try (TerminalClient term = TerminalClient.connect(http, relay.ws("/api/v1/devices/dev-1/terminal"), relay.adminToken())) {
                assertThat(relay.ws("/x").getScheme()).isEqualTo("wss");
                term.awaitControl("session", WAIT);
                term.type("echo over-tls-$((20+1))\r");
                term.awaitOutput(TerminalClient.hasLine("over-tls-21"), WAIT);
            }
        }
    }

    @Test
    void servesHttpsFromAPkcs12FileAndAnAgentWithoutTheCaRefusesTheRelay() throws Exception {
        SSLContext trust = TlsTrust.sslContext(certPem);
        HttpClient http = HttpClient.newBuilder().sslContext(trust).build();
        try (TestRelay relay = new TestRelay(dir, c -> c.withTls(TlsFiles.pkcs12(pkcs12, STORE_PASSWORD)), http)) {
            assertThat(relay.get("/healthz", null).statusCode()).isEqualTo(200);
            String token = relay.enrollmentToken(true, true, Map.of());

            relay.startAgent("untrusting", dir.resolve("untrusting"), relay.tokenFile(token), null, relay.baseUrl());
            org.awaitility.Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> relay.server().devices().find("untrusting").isEmpty());

            relay.startAgent("trusting", dir.resolve("trusting"), relay.tokenFile(token), trust, relay.baseUrl());
            relay.awaitOnline("trusting", true);
            assertThat(relay.server().audit().recent(50)).extracting(AuditLog.Event::deviceId).doesNotContain("untrusting");
        }
    }

    @Test
    void plainHttpNeedsLoopbackOrAnExplicitFlag() throws Exception {
        assertThatThrownBy(() -> new TestRelay(dir, c -> c.withListen("192.0.2.1", false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain HTTP");
        assertThatThrownBy(() -> RelayEndpoint.parse("http://relay.example.com", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain http");
        assertThat(RelayEndpoint.parse("http://relay.example.com", true).websocket("/x").getScheme()).isEqualTo("ws");
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }
}
