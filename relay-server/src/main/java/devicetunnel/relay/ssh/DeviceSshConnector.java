package devicetunnel.relay.ssh;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.link.StreamBroker;
import devicetunnel.relay.store.Device;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Gives the relay an authenticated SSH connection to a device: asks the device for a stream and
 * runs the relay's SSH client straight over it, checking the pinned host key.
 * Terminal sessions and file transfers both start here.
 */
public final class DeviceSshConnector {
    private final RelaySshClient sshClient;
    private final StreamBroker broker;

    public DeviceSshConnector(RelaySshClient sshClient, StreamBroker broker) {
        this.sshClient = sshClient;
        this.broker = broker;
    }

    /** Blocking: call it off websocket threads. Failures are {@link TunnelException}s with a user-facing reason. */
    public DeviceConnection connect(String operator, Device device, Duration timeout) {
        PublicKey pinned = parseHostKey(device);
        DeviceStream stream = new DeviceStream(device.id());
        try {
            await(broker.open(device.id(), stream, timeout), timeout);
            ClientSession ssh = sshClient.connect(operator, stream, pinned, timeout);
            return new DeviceConnection(ssh, stream);
        } catch (TunnelException e) {
            stream.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "Could not reach the device over SSH.", e);
        }
    }

    private static void await(CompletableFuture<Void> future, Duration timeout) {
        try {
            future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TunnelException te) {
                throw te;
            }
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, null, e.getCause());
        } catch (TimeoutException e) {
            throw new TunnelException(ErrorCode.DEVICE_TIMEOUT, "The device did not open the session in time.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(ErrorCode.SERVICE_UNAVAILABLE, "interrupted");
        }
    }

    private static PublicKey parseHostKey(Device device) {
        if (device.hostKey() == null) {
            throw new TunnelException(ErrorCode.DEVICE_UNREACHABLE, "The device has no host key on record yet.");
        }
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(device.hostKey())
                    .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (Exception e) {
            throw new TunnelException(ErrorCode.INTERNAL, "The device's host key on record is unreadable.");
        }
    }

    /** An authenticated SSH session to a device and the device stream under it; closing ends both. */
    public static final class DeviceConnection implements AutoCloseable {
        private final ClientSession session;
        private final DeviceStream stream;

        DeviceConnection(ClientSession session, DeviceStream stream) {
            this.session = session;
            this.stream = stream;
        }

        public ClientSession session() {
            return session;
        }

        DeviceStream stream() {
            return stream;
        }

        @Override
        public void close() {
            try {
                session.close(false);
            } finally {
                stream.close();
            }
        }
    }
}
