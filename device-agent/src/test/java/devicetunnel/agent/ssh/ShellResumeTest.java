package devicetunnel.agent.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.protocol.KeyFiles;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.certificate.OpenSshCertificateBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A relay session's shell outlives its relay connection: dropped without a hang-up, it waits for a
 * resume, which gets the output it missed and the same process; a hang-up (EOF) ends it; nobody
 * but the relay's own key may resume one.
 */
@Timeout(60)
class ShellResumeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern PID = Pattern.compile("pid-(\\d+)-end");

    private final KeyPair relayKey = KeyFiles.generate();
    private DeviceSshServer server;
    private SshClient client;

    @BeforeEach
    void start() throws Exception {
        server = new DeviceSshServer(KeyFiles.generate(), List.of("/bin/sh"), false, false, Duration.ofSeconds(30));
        server.setAuthorizedKeys(List.of(relayKey.getPublic()));
        server.start();
        client = TestClients.anyHostKey();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        server.close();
    }

    /** A relay-like connection with a shell channel; {@code resumeFrom} null opens a new shell. */
    private final class Relay implements AutoCloseable {
        final ClientSession ssh;
        final ChannelShell channel;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        Relay(String sessionId, Long resumeFrom, KeyPair key) throws Exception {
            ssh = client.connect("alice", server.address().getHostName(), server.port()).verify(WAIT).getSession();
            ssh.addPublicKeyIdentity(key);
            ssh.auth().verify(WAIT);
            channel = ssh.createShellChannel();
            channel.setEnv(ShellChannel.SESSION_ENV, sessionId);
            if (resumeFrom != null) {
                channel.setEnv(ShellChannel.RESUME_ENV, resumeFrom.toString());
            }
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(WAIT);
        }

        void type(String line) throws Exception {
            OutputStream in = channel.getInvertedIn();
            in.write(line.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        String output() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String awaitErr() {
            return await().atMost(WAIT).until(() -> {
                synchronized (err) {
                    return err.toString(StandardCharsets.US_ASCII);
                }
            }, e -> e.endsWith("\n"));
        }

        String pid() {
            Matcher m = await().atMost(WAIT).until(() -> PID.matcher(output()), Matcher::find);
            return m.group(1);
        }

        @Override
        public void close() throws Exception {
            ssh.close(true); // the connection drops: no EOF, no channel close
        }
    }

    @Test
    void aDroppedShellIsResumedWithWhatItMissedAndTheSameProcess() throws Exception {
        String pid;
        long seen;
        try (Relay first = new Relay("s-1", null, relayKey)) {
            first.type("echo pid-$$-end\n");
            pid = first.pid();
            seen = first.out.size();
        }
        await().atMost(WAIT).until(() -> server.streamSessions() == 0 && server.runningShells() == 1);
        // The relay is gone; the shell prints on (into its ring) until someone resumes it.
        try (Relay second = new Relay("s-1", seen, relayKey)) {
            assertThat(second.awaitErr()).isEqualTo("devtunnel-resumed " + seen + "\n");
            second.type("echo again-$$-end\n");
            await().atMost(WAIT).until(() -> second.output().contains("again-" + pid + "-end"));
            assertThat(second.output()).doesNotContain("pid-" + pid + "-end"); // nothing replayed twice
        }
        assertThat(server.runningShells()).isEqualTo(1);
    }

    @Test
    void aResumeFromZeroReplaysTheScreen() throws Exception {
        String pid;
        try (Relay first = new Relay("s-2", null, relayKey)) {
            first.type("echo pid-$$-end\n");
            pid = first.pid();
        }
        try (Relay second = new Relay("s-2", 0L, relayKey)) {
            assertThat(second.awaitErr()).isEqualTo("devtunnel-resumed 0\n");
            assertThat(second.pid()).isEqualTo(pid);
        }
    }

    @Test
    void aHangUpEndsTheShell() throws Exception {
        try (Relay relay = new Relay("s-3", null, relayKey)) {
            relay.type("echo pid-$$-end\n");
            relay.pid();
            relay.channel.getInvertedIn().close(); // EOF: the operator closed the terminal
            relay.channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), WAIT);
        }
        await().atMost(WAIT).until(() -> server.runningShells() == 0);
    }

    @Test
    void anOperatorsCertificateCannotNameOrResumeARelaySession() throws Exception {
        KeyPair ca = KeyFiles.generate();
        KeyPair operator = KeyFiles.generate();
        server.setUserCaKeys(List.of(ca.getPublic()));
        OpenSshCertificate certificate = OpenSshCertificateBuilder.userCertificate()
                .publicKey(operator.getPublic()).serial(1).id("test:alice").principals(List.of("alice"))
                .validAfter(Instant.now().minusSeconds(60)).validBefore(Instant.now().plusSeconds(600)).sign(ca);
        KeyPair certified = new KeyPair(certificate, operator.getPrivate());
        String pid;
        try (Relay relay = new Relay("s-4", null, relayKey)) {
            relay.type("echo pid-$$-end\n");
            pid = relay.pid();
        }
        try (Relay stranger = new Relay("s-4", 0L, certified)) {
            stranger.type("echo pid-$$-end\n");
            assertThat(stranger.pid()).isNotEqualTo(pid); // a plain new shell of its own, not s-4
            assertThat(stranger.err.size()).isZero();
        }
        await().atMost(WAIT).until(() -> server.runningShells() == 1); // the operator's ended with its connection; s-4 waits
    }
}
