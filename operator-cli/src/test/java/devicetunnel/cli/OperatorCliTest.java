package devicetunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OperatorCliTest {

    @Test
    void configDirPrefersExplicitThenXdgThenHome() {
        assertThat(ConfigDir.resolve(Path.of("/x/explicit"), "/xdg", "/home/op").path()).isEqualTo(Path.of("/x/explicit"));
        assertThat(ConfigDir.resolve(null, "/xdg", "/home/op").path()).isEqualTo(Path.of("/xdg/devtunnel"));
        assertThat(ConfigDir.resolve(null, " ", "/home/op").path()).isEqualTo(Path.of("/home/op/.config/devtunnel"));
    }

    @Test
    void proxyTakesDeviceIdsWithOrWithoutTheSshSuffix() {
        assertThat(ProxyCommand.deviceId("dev-1.devtunnel")).isEqualTo("dev-1");
        assertThat(ProxyCommand.deviceId("dev-1")).isEqualTo("dev-1");
        assertThatThrownBy(() -> ProxyCommand.deviceId("../etc.devtunnel")).isInstanceOf(CliException.class);
    }

    @Test
    void knownHostsPinEveryDeviceWithAKeyUnderItsSshName() throws Exception {
        var devices = new ObjectMapper().readTree("[{\"id\":\"a\",\"hostKey\":\"ssh-ed25519 AAAAkey comment\"},"
                + "{\"id\":\"b\",\"hostKey\":null}]");
        assertThat(SshConfigCommand.knownHosts(devices)).containsExactly("a.devtunnel ssh-ed25519 AAAAkey");
    }

    @Test
    void plainHttpOnlyToThisMachine() {
        assertThat(RelayClient.parseRelay("http://127.0.0.1:8080/", false).toString()).isEqualTo("http://127.0.0.1:8080");
        assertThatThrownBy(() -> RelayClient.parseRelay("http://relay.example.com", false)).isInstanceOf(CliException.class);
        assertThat(RelayClient.parseRelay("https://relay.example.com", false).getHost()).isEqualTo("relay.example.com");
        assertThat(new RelayClient(RelayClient.parseRelay("https://relay.example.com", false)).websocket("/p").toString())
                .isEqualTo("wss://relay.example.com/p");
    }

    @Test
    void shellQuotingSurvivesQuotes() {
        assertThat(SshConfigCommand.shellQuote("/it's here")).isEqualTo("'/it'\\''s here'");
    }

    @Test
    void failedConnectionsAreSaidInWordsNotTheJdks() {
        java.net.URI relay = java.net.URI.create("https://relay.example.com");
        assertThat(Unreachable.of(relay, new java.net.ConnectException()).getMessage())
                .isEqualTo("cannot reach the relay at https://relay.example.com: nothing answers there (is the URL right, is the relay up?)");
        assertThat(Unreachable.of(relay, new java.io.IOException(new javax.net.ssl.SSLHandshakeException(
                "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException"))).getMessage())
                .contains("not signed by a CA this machine trusts", "--ca-file").doesNotContain("PKIX", "sun.security");
        assertThat(Unreachable.of(relay, new java.net.ConnectException()).exitCode()).isEqualTo(CliException.UNREACHABLE);
    }

    @Test
    void shareLinksParseWithOrWithoutTheirRelay() {
        WatchLink full = WatchLink.parse(" https://Relay.example.com:8443/#watch=abc-123&share=tok_EN-x \n");
        assertThat(full).extracting(WatchLink::relay, WatchLink::sessionId, WatchLink::token)
                .containsExactly("https://relay.example.com:8443", "abc-123", "tok_EN-x");
        assertThat(full.isFor(java.net.URI.create("https://relay.example.com:8443"))).isTrue();
        assertThat(full.isFor(java.net.URI.create("https://other.example.com"))).isFalse();
        WatchLink bare = WatchLink.parse("/#watch=abc-123&share=tok");
        assertThat(bare.relay()).isNull();
        assertThat(bare.isFor(java.net.URI.create("https://any.example.com"))).isTrue();
        assertThat(full.toString()).doesNotContain("tok_EN-x");
        assertThatThrownBy(() -> WatchLink.parse("https://relay.example.com/#watch=abc")).isInstanceOf(CliException.class);
        assertThatThrownBy(() -> WatchLink.parse("https://relay.example.com/")).isInstanceOf(CliException.class);
        assertThatThrownBy(() -> WatchLink.parse("#watch=../x&share=t")).isInstanceOf(CliException.class);
    }

    @Test
    void shareAndWatchersAloneNameTheirSubcommands() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = DevtunnelMain.run(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true), "share");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("create", "list", "revoke");
    }

    @Test
    void filtersAloneNamesItsSubcommands() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = DevtunnelMain.run(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true), "filters");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("list", "save", "delete");
    }

    @Test
    void savedFilterWordsMatchAsTheConsoleDoes() throws Exception {
        com.fasterxml.jackson.databind.JsonNode device = new ObjectMapper().readTree("""
                {"id":"dev-7","name":"Gateway Berlin","online":false,"labels":{"env":"prod","site":"berlin"},
                 "facts":{"os":"Debian GNU/Linux 12","architecture":"aarch64","kernel":null,"hostname":"gw7",
                          "agentVersion":"0.4.1","ipAddresses":["10.0.0.7"]}}""");
        assertThat(DeviceFilterWords.matches(device, "env=prod  OFFLINE")).isTrue();
        assertThat(DeviceFilterWords.matches(device, "berlin aarch64 10.0.0.7 0.4.1 gateway")).isTrue();
        assertThat(DeviceFilterWords.matches(device, "   ")).isTrue();
        assertThat(DeviceFilterWords.matches(device, "env=prod online")).isFalse();
        assertThat(DeviceFilterWords.matches(device, "env=lab")).isFalse();
        assertThat(DeviceFilterWords.matches(device, "null")).as("a missing fact is not the word null").isFalse();
    }
}
