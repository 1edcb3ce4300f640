package devicetunnel.relay.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code nats-server -js} of the test's own on a free loopback port, so the test can take NATS
 * away (SIGKILL) and bring it back on the same port without touching the shared one at 4222.
 */
public final class NatsServerProcess implements AutoCloseable {
    private static final String BINARY = "nats-server";

    private final Path dir;
    private final int port;
    private Process process;

    private NatsServerProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static NatsServerProcess start(Path dir) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        NatsServerProcess nats = new NatsServerProcess(Files.createDirectories(dir), port);
        nats.startAgain();
        return nats;
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** Starts the server (again) on its port and waits until it accepts connections. */
    public void startAgain() throws IOException {
        List<String> command = List.of(BINARY, "-a", "127.0.0.1", "-p", Integer.toString(port), "-js",
                "-sd", dir.resolve("jetstream").toString());
        try {
            ChildLogs.add(dir.resolve("nats.log"));
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nats.log").toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + BINARY + " (install the Debian package nats-server): " + e.getMessage(), e);
        }
        Process started = process;
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            if (!started.isAlive()) {
                throw new IllegalStateException("nats-server exited: " + Files.readString(dir.resolve("nats.log")));
            }
            return accepts();
        });
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: every client loses its connection at once. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
