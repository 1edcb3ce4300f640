package devicetunnel.relay.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load balancer in front of a test cluster: a loopback TCP listener that hands each connection
 * to the next relay port in turn, skipping ports that refuse the connection (a dead relay), like
 * HAProxy's round robin with its connect retries. Devices dial it, so a device whose relay died
 * reconnects to a surviving one. A relay that accepts and then refuses (503 while draining) is the
 * client's to retry, as with a real balancer.
 */
public final class Balancer implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Integer> ports;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    public Balancer(List<Integer> ports) throws IOException {
        this.ports = List.copyOf(ports);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "balancer-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = connectToNext();
                if (server == null) {
                    client.close();
                } else {
                    pipe(client, server);
                    pipe(server, client);
                }
            } catch (IOException e) {
                // the listener closed, or this one client went away
            }
        }
    }

    /** The next relay in turn that takes the connection; null when none does. */
    private Socket connectToNext() {
        for (int tries = 0; tries < ports.size(); tries++) {
            int port = ports.get(Math.floorMod(next.getAndIncrement(), ports.size()));
            Socket server = new Socket();
            try {
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                return server;
            } catch (IOException e) {
                closeQuietly(server);
            }
        }
        return null;
    }

    /** Copies one direction; when either side ends, both sockets close (the peer sees the relay go). */
    private static void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed or reset
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "balancer-pipe-" + from.getPort());
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
    }
}
