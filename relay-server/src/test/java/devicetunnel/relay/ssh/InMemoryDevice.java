package devicetunnel.relay.ssh;

import devicetunnel.agent.ssh.DeviceSshServer;
import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.StreamIoSession;
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

/**
 * The agent's real SSH server and the relay's real SSH client joined by a pair of in-memory pipes
 * standing in for the stream websocket: real SSH, no socket. Owns one thread per direction.
 */
final class InMemoryDevice implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final KeyPair hostKey = generate();
    final KeyPair relayKey = generate();
    final DeviceSshServer server;
    final RelaySshClient client;
    private final ExecutorService toDevice = Executors.newSingleThreadExecutor();
    private final ExecutorService toRelay = Executors.newSingleThreadExecutor();

    InMemoryDevice() throws Exception {
        server = new DeviceSshServer(hostKey, List.of("/bin/sh"), false);
        server.setAuthorizedKeys(List.of(relayKey.getPublic()));
        server.start();
        client = new RelaySshClient(relayKey, 1024 * 1024, Duration.ofSeconds(30));
    }

    static KeyPair generate() {
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
    DeviceStream pairedStream() throws Exception {
        DeviceStream stream = new DeviceStream("dev-1");
        StreamIoSession device = server.serveStream("stream-1",
                new Pipe(toRelay, stream::fromDevice, () -> stream.deviceClosed("closed by the device")));
        stream.paired(new Pipe(toDevice, device::received, device::peerClosed));
        return stream;
    }

    /** An authenticated SSH connection to the device over {@code stream}, its host key checked. */
    ClientSession connect(DeviceStream stream) throws java.io.IOException {
        return client.connect("alice", stream, hostKey.getPublic(), TIMEOUT);
    }

    @Override
    public void close() throws Exception {
        client.close();
        server.close();
        toDevice.shutdownNow();
        toRelay.shutdownNow();
    }
}
