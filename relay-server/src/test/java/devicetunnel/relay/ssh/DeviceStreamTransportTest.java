package devicetunnel.relay.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import devicetunnel.agent.ssh.DeviceSshServer;
import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay's SSH client and the agent's SSH server speaking over the stream transport ({@link InMemoryDevice}). */
@Timeout(30)
class DeviceStreamTransportTest {
    private static final Duration TIMEOUT = InMemoryDevice.TIMEOUT;

    private InMemoryDevice device;
    private DeviceSshServer server;
    private RelaySshClient client;
    private KeyPair hostKey;

    @BeforeEach
    void start() throws Exception {
        device = new InMemoryDevice();
        server = device.server;
        client = device.client;
        hostKey = device.hostKey;
    }

    @AfterEach
    void stop() throws Exception {
        device.close();
    }

    private DeviceStream pairedStream() throws Exception {
        return device.pairedStream();
    }

    private static KeyPair generate() {
        return InMemoryDevice.generate();
    }

    @Test
    void theRelayRunsACommandOnTheDeviceOverTheStreamAndBothEndsCloseTogether() throws Exception {
        DeviceStream stream = pairedStream();
        ClientSession ssh = client.connect("alice", stream, hostKey.getPublic(), TIMEOUT);
        assertThat(ssh.executeRemoteCommand("echo over-the-stream-$((6*7))")).isEqualTo("over-the-stream-42\n");
        assertThat(server.streamSessions()).isEqualTo(1);

        ssh.close(false).await(TIMEOUT);
        await().atMost(TIMEOUT).until(() -> server.streamSessions() == 0);
    }

    @Test
    void aDeviceWithAnotherHostKeyIsRefused() throws Exception {
        DeviceStream stream = pairedStream();
        assertThatThrownBy(() -> client.connect("alice", stream, generate().getPublic(), TIMEOUT))
                .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.HOST_KEY_MISMATCH));
        await().atMost(TIMEOUT).until(() -> server.streamSessions() == 0);
    }

    @Test
    void whenTheDeviceSideEndsTheRelaysSessionEndsAndSaysWhy() throws Exception {
        DeviceStream stream = pairedStream();
        ClientSession ssh = client.connect("alice", stream, hostKey.getPublic(), TIMEOUT);
        server.close(); // the agent goes away: its stream closes under the relay's client
        await().atMost(TIMEOUT).until(ssh::isClosed);
        assertThat(stream.closedReason().get()).isEqualTo("closed by the device");
    }

    @Test
    void aDeviceThatFloodsBeforeTheClientIsThereLosesItsStream() {
        DeviceStream stream = new DeviceStream("dev-1");
        CompletableFuture<Void> deviceSawClose = new CompletableFuture<>();
        stream.paired(new BinarySink() {
            @Override
            public CompletableFuture<Void> send(ByteBuffer data) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
                deviceSawClose.complete(null);
            }
        });
        for (int i = 0; i < 3; i++) {
            stream.fromDevice(ByteBuffer.allocate(32 * 1024));
        }
        assertThat(deviceSawClose).isCompleted();
    }
}
