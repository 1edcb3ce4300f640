package devicetunnel.agent.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.KeyFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the device's SSH server refuses even to the relay's own key: a PTY-less shell while exec is
 * off, client environment beyond locale and terminal type, outdated algorithms, and remote forwards
 * on every interface unless the device owner allows them.
 */
@Timeout(60)
class DeviceSshHardeningTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SCRIPT = "echo ran-$((40+2)); exit\n";

    private final KeyPair hostKey = KeyFiles.generate();
    private final KeyPair relayKey = KeyFiles.generate();
    private DeviceSshServer server;
    private SshClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void withExecOffAShellWithoutAPtyRunsNothingWhileAShellWithAPtyStillWorks() throws Exception {
        start(false, false, c -> {});
        try (ClientSession session = login()) {
            assertThat(shell(session, false, SCRIPT, ch -> {})).contains("ran-42"); // exec on: ssh -T works
            server.setFeatures(new DeviceFeatures(false, false, false));
            assertThat(shell(session, false, SCRIPT, ch -> {})).doesNotContain("ran-42");
            assertThat(shell(session, true, SCRIPT, ch -> {})).contains("ran-42"); // the terminal stays
        }
    }

    @Test
    void aScriptWhoseInputEndsAtOnceRunsToItsEndEvenWhenTheShellIsSlowToStart() throws Exception {
        // The client sends the script and its EOF before the shell is up: a signal then would kill it unread.
        server = new DeviceSshServer(hostKey, List.of("/bin/sh", "-c", "sleep 0.5; exec /bin/sh -i"), false, false);
        server.setAuthorizedKeys(List.of(relayKey.getPublic()));
        server.start();
        client = newClient(c -> {});
        try (ClientSession session = login()) {
            assertThat(shell(session, true, "echo ran-$((40+2))\n", ch -> {})).contains("ran-42");
        }
    }

    @Test
    void onlyLocaleAndTerminalVariablesFromTheClientReachTheShell() throws Exception {
        start(false, false, c -> {});
        try (ClientSession session = login()) {
            String output = shell(session, true, "echo \"<$FOO|$LC_ALL|$COLORTERM|$BASH_ENV>\"; exit\n", ch -> {
                ch.setEnv("FOO", "bar");
                ch.setEnv("BASH_ENV", "/tmp/evil");
                ch.setEnv("LC_ALL", "C");
                ch.setEnv("COLORTERM", "truecolor");
            });
            assertThat(output).contains("<|C|truecolor|>");
        }
    }

    @Test
    void outdatedKeyExchangeCipherAndMacAreNotOfferedModernOnesAre() throws Exception {
        start(false, false, c -> {
            c.setKeyExchangeFactories(List.of(org.apache.sshd.client.ClientBuilder.DH2KEX.apply(BuiltinDHFactories.curve25519)));
            c.setCipherFactories(List.of(BuiltinCiphers.aes128ctr));
            c.setMacFactories(List.of(BuiltinMacs.hmacsha256etm));
        });
        try (ClientSession session = login()) {
            assertThat(session.isAuthenticated()).isTrue();
        }
        assertRefused(c -> c.setKeyExchangeFactories(List.of(org.apache.sshd.client.ClientBuilder.DH2KEX.apply(BuiltinDHFactories.ecdhp384))));
        assertRefused(c -> c.setKeyExchangeFactories(List.of(org.apache.sshd.client.ClientBuilder.DH2KEX.apply(BuiltinDHFactories.ecdhp521))));
        assertRefused(c -> c.setCipherFactories(List.of(BuiltinCiphers.aes128cbc)));
        assertRefused(c -> {
            c.setCipherFactories(List.of(BuiltinCiphers.aes128ctr));
            c.setMacFactories(List.of(BuiltinMacs.hmacsha1));
        });
    }

    @Test
    void signaturesAreEd25519RsaSha2OrP256Only() {
        SshServer bare = SshServer.setUpDefaultServer();
        ModernAlgorithms.apply(bare);
        assertThat(bare.getSignatureFactoriesNames()).contains("ssh-ed25519", "rsa-sha2-512")
                .doesNotContain("ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521");
        assertThat(bare.getKeyExchangeFactories()).extracting(f -> f.getName())
                .contains("curve25519-sha256").noneMatch(n -> n.startsWith("ecdh-sha2-nistp") || n.contains("group1-"));
    }

    @Test
    void remoteForwardsListenOnLoopbackOnlyUnlessGatewayPortsIsOn() throws Exception {
        start(true, false, c -> {});
        server.setFeatures(new DeviceFeatures(true, true, true));
        try (ClientSession session = login()) {
            SshdSocketAddress target = new SshdSocketAddress("127.0.0.1", 9);
            assertThatThrownBy(() -> session.startRemotePortForwarding(new SshdSocketAddress("0.0.0.0", 0), target))
                    .isInstanceOf(Exception.class);
            assertThatThrownBy(() -> session.startRemotePortForwarding(new SshdSocketAddress("", 0), target))
                    .isInstanceOf(Exception.class);
            SshdSocketAddress bound = session.startRemotePortForwarding(new SshdSocketAddress("127.0.0.1", 0), target);
            assertThat(bound.getPort()).isPositive();
        }
        stop();
        start(true, true, c -> {});
        server.setFeatures(new DeviceFeatures(true, true, true));
        try (ClientSession session = login()) {
            SshdSocketAddress bound = session.startRemotePortForwarding(new SshdSocketAddress("0.0.0.0", 0),
                    new SshdSocketAddress("127.0.0.1", 9));
            assertThat(bound.getPort()).isPositive();
        }
    }

    private void start(boolean allowForwarding, boolean gatewayPorts, Consumer<SshClient> clientSetup) throws Exception {
        server = new DeviceSshServer(hostKey, List.of("/bin/sh"), allowForwarding, gatewayPorts);
        server.setAuthorizedKeys(List.of(relayKey.getPublic()));
        server.start();
        client = newClient(clientSetup);
    }

    private SshClient newClient(Consumer<SshClient> setup) {
        // A refused shell request then closes the channel instead of leaving it open and idle.
        return TestClients.pinned(hostKey.getPublic(), c -> {
            CoreModuleProperties.REQUEST_SHELL_REPLY.set(c, true);
            setup.accept(c);
        });
    }

    private ClientSession login() throws Exception {
        return login(client);
    }

    private ClientSession login(SshClient c) throws Exception {
        ClientSession session = c.connect("relay", "127.0.0.1", server.port()).verify(WAIT).getSession();
        session.addPublicKeyIdentity(relayKey);
        session.auth().verify(WAIT);
        return session;
    }

    private void assertRefused(Consumer<SshClient> setup) {
        SshClient outdated = newClient(setup);
        try {
            assertThatThrownBy(() -> login(outdated).close()).isInstanceOf(Exception.class);
        } finally {
            outdated.stop();
        }
    }

    /** Runs {@code input} through a shell channel and returns everything it printed once the channel closed. */
    private static String shell(ClientSession session, boolean pty, String input, Consumer<ChannelShell> setup) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ChannelShell channel = session.createShellChannel()) {
            channel.setUsePty(pty);
            setup.accept(channel);
            channel.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            channel.setOut(out);
            channel.setRedirectErrorStream(true);
            try {
                channel.open().verify(WAIT);
            } catch (Exception refused) {
                return out.toString(StandardCharsets.UTF_8);
            }
            assertThat(channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), WAIT)).contains(ClientChannelEvent.CLOSED);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
