package devicetunnel.relay.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

/**
 * The load balancer of the failover figure, at its simplest: each new connection goes to the first
 * relay port that accepts it. A relay that dies takes its connections with it; the devices'
 * reconnects land on the next relay.
 */
final class FailoverProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Integer> targets;

    FailoverProxy(List<Integer> targetPorts) throws IOException {
        this.targets = targetPorts;
        this.listener = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        daemon("failover-accept", this::acceptLoop);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            Socket server = firstAlive();
            if (server == null) {
                closeQuietly(client);
                continue;
            }
            try {
                pipe(client.getInputStream(), server.getOutputStream(), client, server);
                pipe(server.getInputStream(), client.getOutputStream(), client, server);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
            }
        }
    }

    /**
     * A killed relay's port refuses at once; a busy one only answers late (its accept queue is full
     * while a thousand devices dial it). So the wait is long: with 1 s, a storm at set-up sent some
     * of X's devices to Y and the set-up never saw all of them on X.
     */
    private Socket firstAlive() {
        for (int port : targets) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 15_000);
                return s;
            } catch (IOException e) {
                closeQuietly(s);
            }
        }
        return null;
    }

    private static void pipe(InputStream in, OutputStream out, Socket a, Socket b) {
        daemon("failover-pipe", () -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side is gone
            }
            closeQuietly(a);
            closeQuietly(b);
        });
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
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
        listener.close();
    }
}
