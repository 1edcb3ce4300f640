package devicetunnel.relay.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a loopback port 0 standing in for the networks between agent, relay and browser:
 * it can cut connections that stayed idle for a while (like load balancers at 60 s) and black-hole
 * traffic (stop forwarding, close nothing), which leaves both ends with a half-open connection.
 */
public final class TcpProxy implements AutoCloseable {
    private static final int POLL_MILLIS = 20;

    private final ServerSocket listener;
    private final int targetPort;
    private final long idleCutMillis;
    private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
    private final AtomicInteger idleCuts = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean blackHoleAll;
    private volatile boolean down;
    private volatile boolean closed;

    /** @param idleCutMillis cut a connection after this long without a byte either way; 0: never */
    public TcpProxy(int targetPort, long idleCutMillis) throws IOException {
        this.targetPort = targetPort;
        this.idleCutMillis = idleCutMillis;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Connections cut for being idle so far. */
    public int idleCuts() {
        return idleCuts.get();
    }

    public int acceptedCount() {
        return accepted.get();
    }

    /** Every connection, open or future, goes silent; nothing is closed. */
    public void blackHoleAll(boolean on) {
        blackHoleAll = on;
    }

    /**
     * Down: every open connection is cut and new ones are closed as soon as they are accepted, as
     * if the server behind had crashed; up again: connections are forwarded as before.
     */
    public void down(boolean on) {
        down = on;
        if (on) {
            for (Pipe p : pipes) {
                p.close();
            }
        }
    }

    /** The connections open now go silent for good; new ones are forwarded (a NAT that lost its mapping). */
    public void blackHoleExisting() {
        for (Pipe p : pipes) {
            p.blackHoled = true;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (down) {
                    closeQuietly(client);
                    continue;
                }
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                accepted.incrementAndGet();
                Pipe pipe = new Pipe(client, server);
                pipes.add(pipe);
                pipe.start();
            } catch (IOException e) {
                // listener closed, or the target is down (the client sees its connection close)
            }
        }
    }

    private final class Pipe {
        final Socket client;
        final Socket server;
        volatile long lastActivity = System.nanoTime();
        volatile boolean blackHoled;
        volatile boolean done;

        Pipe(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() throws IOException {
            client.setSoTimeout(POLL_MILLIS);
            server.setSoTimeout(POLL_MILLIS);
            thread("up", client.getInputStream(), server.getOutputStream());
            thread("down", server.getInputStream(), client.getOutputStream());
        }

        private void thread(String direction, InputStream in, OutputStream out) {
            Thread t = new Thread(() -> copy(in, out), "proxy-" + direction + "-" + client.getPort());
            t.setDaemon(true);
            t.start();
        }

        private void copy(InputStream in, OutputStream out) {
            byte[] buffer = new byte[64 * 1024];
            try {
                while (!done) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (SocketTimeoutException e) {
                        if (idleCutMillis > 0 && !blackHoled && !blackHoleAll
                                && System.nanoTime() - lastActivity > idleCutMillis * 1_000_000L) {
                            idleCuts.incrementAndGet();
                            close();
                        }
                        continue;
                    }
                    if (n < 0) {
                        break;
                    }
                    if (blackHoled || blackHoleAll) {
                        continue; // swallowed: neither end hears about it
                    }
                    lastActivity = System.nanoTime();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            }
            if (!blackHoled && !blackHoleAll) {
                close();
            }
        }

        synchronized void close() {
            if (done) {
                return;
            }
            done = true;
            pipes.remove(this);
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private static void closeQuietly(Socket s) {
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
        for (Pipe p : pipes) {
            p.close();
        }
    }
}
