package devicetunnel.agent.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.KeyFiles;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The device's SSHD lets in the relay's key and nothing else: no other key, no password. */
@Timeout(60)
class DeviceSshServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final KeyPair relayKey = KeyFiles.generate();
    private DeviceSshServer server;
    private SshClient client;

    @BeforeEach
    void start() throws Exception {
        server = new DeviceSshServer(KeyFiles.generate(), List.of("/bin/true"), false);
        server.setAuthorizedKeys(List.of(relayKey.getPublic()));
        server.start();
        client = TestClients.anyHostKey();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        server.close();
    }

    @Test
    void acceptsTheRelayKey() throws Exception {
        try (ClientSession session = connect()) {
            session.addPublicKeyIdentity(relayKey);
            assertThat(session.auth().verify(WAIT).isSuccess()).isTrue();
        }
    }

    @Test
    void refusesAnyOtherKey() throws Exception {
        try (ClientSession session = connect()) {
            session.addPublicKeyIdentity(KeyFiles.generate());
            assertThatThrownBy(() -> session.auth().verify(WAIT)).hasMessageContaining("No more authentication methods");
        }
    }

    @Test
    void refusesPasswords() throws Exception {
        try (ClientSession session = connect()) {
            session.addPasswordIdentity("root");
            assertThatThrownBy(() -> session.auth().verify(WAIT)).hasMessageContaining("No more authentication methods");
        }
    }

    @Test
    void closingAnExecChannelEndsTheCommandsWholeProcessTree() throws Exception {
        String marker = "sleep 2718" + ProcessHandle.current().pid() % 1000;
        try (ClientSession session = connect()) {
            session.addPublicKeyIdentity(relayKey);
            session.auth().verify(WAIT);
            // sh -c runs the sleeps as children of a shell: killing only the shell would orphan them.
            org.apache.sshd.client.channel.ChannelExec exec = session.createExecChannel(marker + " & " + marker + "; wait");
            exec.open().verify(WAIT);
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> sleeping(marker).size() == 2);
            List<ProcessHandle> sleeps = sleeping(marker);
            exec.close(false).await(WAIT);
            // Orphans are re-parented away from this JVM, so follow the very processes, not the tree.
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> sleeps.stream().noneMatch(ProcessHandle::isAlive));
        }
    }

    /** {@code sleep} processes under this JVM whose command line contains {@code marker}. */
    private static List<ProcessHandle> sleeping(String marker) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker.substring("sleep ".length()))).orElse(false))
                .toList();
    }

    private ClientSession connect() throws Exception {
        return client.connect("relay", "127.0.0.1", server.port()).verify(WAIT).getSession();
    }
}
