package devicetunnel.relay.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy that holds every chunk for a fixed time in each direction: round-trip delay where
 * netem is not available. Listens on {@code bindAddress} (e.g. a veth's root-side address), forwards
 * to a loopback port. Each direction's queue is bounded, so a fast sender is slowed rather than
 * buffered without end; a closed side is passed on, after the same delay.
 */
public final class DelayProxy implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;
    private static final int QUEUED_CHUNKS = 256; // 4 MiB in flight per direction at most
    private static final byte[] END = new byte[0];

    private record Chunk(byte[] bytes, long dueNanos) {}

    private final ServerSocket listener;
    private final int targetPort;
    private final long oneWayNanos;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @param oneWayMillis delay added each way (half the added round trip) */
    public DelayProxy(String bindAddress, int targetPort, long oneWayMillis) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getByName(bindAddress));
        this.targetPort = targetPort;
        this.oneWayNanos = oneWayMillis * 1_000_000;
        daemon("delay-proxy-accept", this::acceptLoop);
    }

    public String baseUrl() {
        return "http://" + listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                for (Socket s : new Socket[] {client, server}) {
                    s.setTcpNoDelay(true);
                    sockets.add(s);
                }
                direction(client, server, "up");
                direction(server, client, "down");
            } catch (IOException e) {
                // listener closed, or the target refused: the client sees its connection close
            }
        }
    }

    private void direction(Socket from, Socket to, String name) throws IOException {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        daemon("delay-proxy-read-" + name, () -> {
            byte[] buffer = new byte[CHUNK];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + oneWayNanos));
                }
            } catch (IOException | InterruptedException e) {
                // this side is gone
            }
            try {
                queue.put(new Chunk(END, System.nanoTime() + oneWayNanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        daemon("delay-proxy-write-" + name, () -> {
            try {
                while (true) {
                    Chunk c = queue.take();
                    long wait;
                    while ((wait = c.dueNanos() - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait); // the delay being simulated
                    }
                    if (c.bytes() == END) {
                        break;
                    }
                    out.write(c.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the other side is gone
            }
            closeQuietly(to);
            closeQuietly(from);
        });
    }

    private void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(this::closeQuietly);
    }
}
