package devicetunnel.relay.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.protocol.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deadlock of issue 20, replayed deterministically on a real shell: Jetty fails a send at
 * once and runs the websocket's error callback inside it (which detaches the viewer under the
 * endpoint's lock), while the same browser's input arrives on another thread that holds that lock,
 * and shutdown terminates the session from a third.
 */
@Timeout(60)
class TerminalSessionLockTest {
    private static final long WAIT_SECONDS = 10;

    private InMemoryDevice device;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private ChannelShell channel;
    private TerminalSession session;

    @BeforeEach
    void start() throws Exception {
        device = new InMemoryDevice();
        DeviceStream stream = device.pairedStream();
        ClientSession ssh = device.connect(stream);
        channel = ssh.createShellChannel();
        channel.open().verify(InMemoryDevice.TIMEOUT);
        session = new TerminalSession("session-1", "alice", "dev-1", ssh, channel, stream,
                new OutputBuffer(1024 * 1024, 512 * 1024, 256 * 1024), scheduler, Duration.ofSeconds(60),
                new OutputGovernor(false, () -> 0.0, System::nanoTime), new SessionTraffic(), s -> { });
    }

    @AfterEach
    void stop() throws Exception {
        // bounded: with the deadlock back, close() would wait for the session's lock for ever
        CompletableFuture.runAsync(session::close).get(WAIT_SECONDS, TimeUnit.SECONDS);
        device.close();
        scheduler.shutdownNow();
    }

    /** A browser websocket whose first send fails at once and reports the failure synchronously. */
    private final class FailingViewer implements TerminalViewer {
        final ReentrantLock endpointLock = new ReentrantLock();
        final CountDownLatch sending = new CountDownLatch(1);
        final AtomicBoolean calledUnderSessionLock = new AtomicBoolean();

        @Override
        public void sendOutput(ByteBuffer data, Runnable written) {
            calledUnderSessionLock.compareAndSet(false, Thread.holdsLock(session));
            sending.countDown();
            endpointLock.lock(); // onError -> TerminalEndpoint.closed takes the connection's lock
            try {
                session.detach(this);
            } finally {
                endpointLock.unlock();
                written.run();
            }
        }

        @Override
        public void sendControl(String json) {
            calledUnderSessionLock.compareAndSet(false, Thread.holdsLock(session));
        }

        @Override
        public void close(int code, String reason) {
            calledUnderSessionLock.compareAndSet(false, Thread.holdsLock(session));
        }
    }

    @Test
    void aSendThatFailsInsideItselfWhileInputArrivesEndsNeitherInADeadlockNorInAHungShutdown() throws Exception {
        FailingViewer viewer = new FailingViewer();
        session.attach(viewer, 0);
        CompletableFuture<Void> input = CompletableFuture.runAsync(() -> {
            viewer.endpointLock.lock(); // TerminalEndpoint.input holds the connection's lock
            try {
                assertThat(viewer.sending.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the shell printed").isTrue();
                session.input(ByteBuffer.wrap("typed\n".getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                // shutdown closed the channel first: the input is refused, which is fine
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                viewer.endpointLock.unlock();
            }
        });
        session.startPump();
        OutputStream shell = channel.getInvertedIn();
        shell.write("echo printed\n".getBytes(StandardCharsets.UTF_8));
        shell.flush();

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> {
            try {
                assertThat(viewer.sending.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            session.terminate(ErrorCode.SERVICE_UNAVAILABLE, "The relay is shutting down.", 1001);
        });

        input.get(WAIT_SECONDS, TimeUnit.SECONDS);
        shutdown.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(ManagementFactory.getThreadMXBean().findDeadlockedThreads()).isNull();
        assertThat(session.isClosed()).isTrue();
        assertThat(viewer.calledUnderSessionLock).as("a viewer was called under the session's lock").isFalse();
    }
}
