package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.agent.link.ControlLink;
import devicetunnel.protocol.TlsTrust;
import devicetunnel.relay.support.OperatorCli;
import devicetunnel.relay.support.PrivateCa;
import devicetunnel.relay.support.TestRelay;
import devicetunnel.relay.tls.TlsFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay whose certificate a company CA signed, as the README's TLS set-up describes: the CLI
 * trusts it through {@code login --ca-file} (remembered for devices, cert and the ProxyCommand), and
 * the CLI and the agent say in plain words when a certificate is untrusted, expired or for another name.
 */
@Timeout(180)
class PrivateCaIT {
    private static final Duration RUN = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    PrivateCa ca;
    OperatorCli operator;
    Path password;

    @BeforeEach
    void setUp() throws Exception {
        ca = new PrivateCa(dir.resolve("ca"));
        operator = new OperatorCli(dir.resolve("operator"));
        password = operator.passwordFile("admin", TestRelay.PASSWORD);
    }

    @Test
    void cliLogsInWithTheCaFileRemembersItForLaterCommandsAndTheProxy() throws Exception {
        PrivateCa.ServerFiles files = ca.server("relay", "ip:127.0.0.1,dns:localhost", null, 10);
        SSLContext trust = TlsTrust.sslContext(ca.caFile());
        try (TestRelay relay = new TestRelay(dir.resolve("relay"), c -> c.withTls(TlsFiles.pem(files.chain(), files.key())),
                HttpClient.newBuilder().sslContext(trust).build())) {
            OperatorCli.Result untrusted = login(relay, null);
            assertThat(untrusted.exitCode()).isEqualTo(4);
            assertThat(untrusted.stderr()).contains("is not signed by a CA this machine trusts", "--ca-file")
                    .doesNotContain("PKIX", "sun.security");
            assertThat(agentWords(relay.baseUrl(), null)).contains("is not signed by a CA this machine trusts", "--ca-file");

            OperatorCli.Result trusted = login(relay, ca.caFile());
            assertThat(trusted.exitCode()).as(trusted.stderr()).isZero();
            assertThat(Files.readString(operator.configDir().resolve("relay-ca.pem"))).isEqualTo(Files.readString(ca.caFile()));

            relay.startAgent("dev-1", dir.resolve("agent"), relay.tokenFile(relay.enrollmentToken(false, true, Map.of())),
                    trust, relay.baseUrl());
            relay.awaitOnline("dev-1", true);
            OperatorCli.Result devices = operator.devtunnelOutput("devices");
            assertThat(devices.exitCode()).as(devices.stderr()).isZero();
            assertThat(devices.stdout()).contains("dev-1");
            operator.sshConfig();
            OperatorCli.Result ssh = operator.run(RUN, "ssh", "dev-1.devtunnel", "echo through-private-ca-$((40+2))");
            assertThat(ssh.exitCode()).as(ssh.stderr()).isZero();
            assertThat(ssh.stdout()).isEqualTo("through-private-ca-42\n");
        }
    }

    @Test
    void anExpiredCertificateIsSaidToBeExpired() throws Exception {
        PrivateCa.ServerFiles files = ca.server("expired", "ip:127.0.0.1,dns:localhost", "-20d", 2);
        try (TestRelay relay = new TestRelay(dir.resolve("relay"), c -> c.withTls(TlsFiles.pem(files.chain(), files.key())),
                HttpClient.newBuilder().sslContext(TlsTrust.sslContext(ca.caFile())).build())) {
            OperatorCli.Result result = login(relay, ca.caFile());
            assertThat(result.exitCode()).isEqualTo(4);
            assertThat(result.stderr()).contains("TLS certificate of 127.0.0.1 has expired").doesNotContain("PKIX", "sun.security");
            assertThat(agentWords(relay.baseUrl(), ca.caFile())).contains("has expired");
        }
    }

    @Test
    void aCertificateForAnotherNameIsSaidToBe() throws Exception {
        PrivateCa.ServerFiles files = ca.server("other", "dns:relay.example.com", null, 10);
        try (TestRelay relay = new TestRelay(dir.resolve("relay"), c -> c.withTls(TlsFiles.pem(files.chain(), files.key())),
                HttpClient.newBuilder().sslContext(TlsTrust.sslContext(ca.caFile())).build())) {
            OperatorCli.Result result = login(relay, ca.caFile());
            assertThat(result.exitCode()).isEqualTo(4);
            assertThat(result.stderr()).contains("is for another name").doesNotContain("No subject alternative");
            assertThat(agentWords(relay.baseUrl(), ca.caFile())).contains("is for another name");
        }
    }

    @Test
    void aCaFileThatIsNotACertificateIsNamed() throws Exception {
        Path notPem = Files.writeString(dir.resolve("notes.txt"), "hello");
        OperatorCli.Result result = operator.devtunnelOutput("login", "--relay", "https://127.0.0.1:1", "--username", "admin",
                "--password-file", password.toString(), "--ca-file", notPem.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("cannot use " + notPem + " as the relay's CA");
    }

    private OperatorCli.Result login(TestRelay relay, Path caFile) {
        return caFile == null
                ? operator.devtunnelOutput("login", "--relay", relay.baseUrl(), "--username", "admin", "--password-file", password.toString())
                : operator.devtunnelOutput("login", "--relay", relay.baseUrl(), "--username", "admin", "--password-file", password.toString(),
                        "--ca-file", caFile.toString());
    }

    /** What the agent logs when its control link fails the handshake the way this one does. */
    private static String agentWords(String baseUrl, Path caFile) throws Exception {
        HttpClient.Builder builder = HttpClient.newBuilder();
        if (caFile != null) {
            builder.sslContext(TlsTrust.sslContext(caFile));
        }
        URI uri = URI.create(baseUrl.replace("https://", "wss://") + "/agent/v1/connect");
        try {
            builder.build().newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {}).get(20, TimeUnit.SECONDS).abort();
            throw new AssertionError("the handshake should have failed");
        } catch (ExecutionException e) {
            return ControlLink.describe(e, uri.getHost());
        }
    }
}
