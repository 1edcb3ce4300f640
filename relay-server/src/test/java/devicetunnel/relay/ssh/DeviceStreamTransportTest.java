package devicetunnel.relay.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import devicetunnel.agent.ssh.DeviceSshServer;
import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.StreamIoSession;
import devicetunnel.protocol.TunnelException;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay's SSH client and the agent's SSH server speaking over the stream transport (MINA
 * sessions on a pair of in-memory pipes standing in for the websocket): real SSH, no socket.
 */
@Timeout(30)
class DeviceStreamTransportTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final KeyPair hostKey = generate();
    private final KeyPair relayKey = generate();
    private DeviceSshServer server;
    private RelaySshClient client;
    private final ExecutorService toDevice = Executors.newSingleThreadExecutor();
    private final ExecutorService toRelay = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws Exception {
        server = new DeviceSshServer(hostKey, List.of("/bin/sh"), false);
        server.setAuthorizedKeys(List.of(relayKey.getPublic()));
        server.start();
        client = new RelaySshClient(relayKey, 1024 * 1024, Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
        toDevice.shutdownNow();
        toRelay.shutdownNow();
    }

    private static KeyPair generate() {
        try {
            return KeyUtils.generateKeyPair("ssh-ed25519", 256);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One direction of the websocket: frames arrive in order, on their own thread, as copies. */
    private static final class Pipe implements BinarySink {
        private final ExecutorService thread;
        private final Consumer<ByteBuffer> deliver;
        private final Runnable closed;

        Pipe(ExecutorService thread, Consumer<ByteBuffer> deliver, Runnable closed) {
            this.thread = thread;
            this.deliver = deliver;
            this.closed = closed;
        }

        @Override
        public CompletableFuture<Void> send(ByteBuffer data) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
            return CompletableFuture.runAsync(() -> deliver.accept(copy), thread);
        }

        @Override
        public void close() {
            thread.execute(closed);
        }
    }

    /** Pairs a relay-side stream with a new connection to the device's SSH server. */
    private DeviceStream pairedStream() throws Exception {
        DeviceStream stream = new DeviceStream("dev-1");
        StreamIoSession device = server.serveStream("stream-1",
                new Pipe(toRelay, stream::fromDevice, () -> stream.deviceClosed("closed by the device")));
        stream.paired(new Pipe(toDevice, device::received, device::peerClosed));
        return stream;
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
