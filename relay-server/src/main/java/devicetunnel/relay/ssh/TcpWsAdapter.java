package devicetunnel.relay.ssh;

import devicetunnel.protocol.BinarySink;
import devicetunnel.protocol.FrameWriter;
import devicetunnel.protocol.StreamPump;
import devicetunnel.relay.link.StreamPeer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lets the relay's SSH client, which speaks TCP, talk to a device stream websocket. It listens on
 * an ephemeral loopback port for exactly one connection (the SSH client's; the caller checks the
 * peer address), then copies socket -> websocket on its own thread, one frame in flight, and
 * websocket -> socket in the websocket's thread, so each side's slowness reaches the other.
 */
final class TcpWsAdapter implements StreamPeer, AutoCloseable {
    private static final long SEND_TIMEOUT_MILLIS = 120_000;

    private final ServerSocket listener;
    private final CompletableFuture<Socket> accepted = new CompletableFuture<>();
    private final CompletableFuture<String> closedReason = new CompletableFuture<>();
    private volatile BinarySink toDevice;
    private volatile FrameWriter toClient;

    TcpWsAdapter() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    @Override
    public void paired(BinarySink toDevice) {
        this.toDevice = toDevice;
        Thread acceptor = new Thread(this::acceptAndPump, "adapter-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptAndPump() {
        try (ServerSocket l = listener) {
            l.setSoTimeout(30_000);
            Socket socket = l.accept();
            socket.setTcpNoDelay(true);
            toClient = new FrameWriter(socket.getOutputStream());
            accepted.complete(socket);
            StreamPump.copy(socket.getInputStream(), toDevice, SEND_TIMEOUT_MILLIS);
        } catch (IOException e) {
            accepted.completeExceptionally(e);
            toDevice.close();
        }
    }

    /** The address the SSH client connected from, to compare with the client's own local address. */
    SocketAddress acceptedPeer(long timeoutMillis) throws Exception {
        return accepted.get(timeoutMillis, TimeUnit.MILLISECONDS).getRemoteSocketAddress();
    }

    @Override
    public void fromDevice(ByteBuffer data) {
        try {
            accepted.get(30, TimeUnit.SECONDS); // the device may speak before our client connected
            toClient.write(data);
        } catch (Exception e) {
            close();
        }
    }

    @Override
    public void deviceClosed(String reason) {
        closedReason.complete(reason);
        closeSocket();
    }

    /** Why the device side ended, once it has. */
    CompletableFuture<String> closedReason() {
        return closedReason;
    }

    private void closeSocket() {
        Socket s = accepted.isDone() && !accepted.isCompletedExceptionally() ? accepted.join() : null;
        try {
            if (s != null) {
                s.close();
            }
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        accepted.completeExceptionally(new IOException("closed"));
    }

    @Override
    public void close() {
        closeSocket();
        BinarySink sink = toDevice;
        if (sink != null) {
            sink.close();
        }
    }
}
