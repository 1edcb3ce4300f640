package devicetunnel.relay.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.protocol.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A terminal session's life with its browsers, on a real shell over real SSH: attach, detach and
 * the grace period, resume with exactly the missed output, take-over by a second tab, the end of
 * the shell told to a browser that comes back late. The grace timer runs on a scheduler the test
 * can look into, so "the timer was cancelled" is checked, not waited for.
 */
@Timeout(60)
class TerminalSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final List<TerminalSession> closedSessions = new CopyOnWriteArrayList<>();
    private InMemoryDevice device;
    private OutputBuffer output;
    private TerminalSession session;

    @BeforeEach
    void start() throws Exception {
        scheduler.setRemoveOnCancelPolicy(true);
        device = new InMemoryDevice();
    }

    @AfterEach
    void stop() throws Exception {
        if (session != null) {
            CompletableFuture.runAsync(session::close).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        device.close();
        scheduler.shutdownNow();
    }

    private void open(Duration grace) throws Exception {
        DeviceStream stream = device.pairedStream();
        ClientSession ssh = device.connect(stream);
        ChannelShell channel = ssh.createShellChannel();
        channel.open().verify(InMemoryDevice.TIMEOUT);
        output = new OutputBuffer(1024 * 1024, 512 * 1024, 256 * 1024);
        session = new TerminalSession("session-1", "alice", "dev-1", ssh, channel, stream, output, scheduler, grace,
                new OutputGovernor(false, () -> 0.0, System::nanoTime), new SessionTraffic(), closedSessions::add);
        session.startPump();
    }

    /** A browser tab: keeps what it was sent, acknowledges output as a browser does. */
    private final class Tab implements TerminalViewer {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<String> controls = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

        @Override
        public void sendOutput(ByteBuffer data, Runnable written) {
            int n = data.remaining();
            synchronized (received) {
                received.write(data.array(), data.arrayOffset() + data.position(), n);
            }
            written.run();
            session.ack(n);
        }

        @Override
        public void sendControl(String json) {
            controls.add(json);
        }

        @Override
        public void close(int code, String reason) {
            closeCode.complete(code);
        }

        String text() {
            synchronized (received) {
                return received.toString(StandardCharsets.UTF_8);
            }
        }

        long bytes() {
            synchronized (received) {
                return received.size();
            }
        }
    }

    /** Types a command whose result differs from its echo, so the result proves the shell ran it. */
    private void type(String command) throws IOException {
        session.input(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void anAttachedTabIsToldWhereItStartsAndGetsTheShellsOutput() throws Exception {
        open(Duration.ofMinutes(1));
        Tab tab = new Tab();
        session.attach(tab, 0);
        type("echo first-$((1+1))");
        await().atMost(WAIT).until(() -> tab.text().contains("first-2"));
        assertThat(tab.controls.get(0)).contains("\"type\":\"session\"").contains("\"offset\":0");
        assertThat(session.hasViewer()).isTrue();
    }

    @Test
    void aDetachedSessionKeepsItsShellAndAResumeReplaysExactlyWhatWasMissed() throws Exception {
        open(Duration.ofMinutes(1));
        Tab first = new Tab();
        session.attach(first, 0);
        type("echo before-$((1+1))");
        await().atMost(WAIT).until(() -> first.text().contains("before-2"));
        await().atMost(WAIT).until(() -> first.bytes() == output.produced()); // nothing still in flight
        session.detach(first);
        assertThat(session.hasViewer()).isFalse();
        assertThat(scheduler.getQueue()).as("the grace timer runs").hasSize(1);

        long seen = first.bytes();
        type("echo missed-$((2+3))");
        await().atMost(WAIT).until(() -> new String(output.replayFrom(seen).bytes(), StandardCharsets.UTF_8).contains("missed-5"));

        Tab again = new Tab();
        session.attach(again, seen);
        assertThat(scheduler.getQueue()).as("the grace timer is cancelled by the resume").isEmpty();
        assertThat(again.controls.get(0)).contains("\"offset\":" + seen);
        await().atMost(WAIT).until(() -> again.text().contains("missed-5"));
        assertThat(count(again.text(), "missed-5")).as("replayed once").isEqualTo(1);
        assertThat(again.text()).doesNotContain("before-2");
        assertThat(first.text()).doesNotContain("missed-5");
        assertThat(session.isClosed()).isFalse();
    }

    @Test
    void theGracePeriodEndsADetachedSession() throws Exception {
        open(Duration.ofMillis(200));
        Tab tab = new Tab();
        session.attach(tab, 0);
        session.detach(tab);
        // closed() marks the session closed, then tears it down and tells its owner last
        await().atMost(WAIT).until(() -> !closedSessions.isEmpty());
        assertThat(session.isClosed()).isTrue();
        assertThat(closedSessions).containsExactly(session);
        assertThat(tab.closeCode).as("a detached tab is not called again").isNotDone();
    }

    @Test
    void aSecondTabTakesTheSessionOverAndTheFirstIsToldItMoved() throws Exception {
        open(Duration.ofMinutes(1));
        Tab first = new Tab();
        Tab second = new Tab();
        session.attach(first, 0);
        session.attach(second, 0);
        assertThat(first.closeCode.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ErrorCode.SESSION_MOVED.closeCode());
        assertThat(session.isAttached(second)).isTrue();
        type("echo second-$((3+4))");
        await().atMost(WAIT).until(() -> second.text().contains("second-7"));
        assertThat(first.text()).doesNotContain("second-7");
    }

    @Test
    void aShellThatEndsWhileNoTabIsAttachedIsReportedToTheTabThatComesBack() throws Exception {
        open(Duration.ofMinutes(1));
        type("exit 3");
        // With no tab attached the end is kept and the grace timer started: that timer is the signal.
        await().atMost(WAIT).until(() -> scheduler.getQueue().size() == 1);

        Tab late = new Tab();
        session.attach(late, 0);
        assertThat(late.closeCode.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(late.controls).anySatisfy(c -> assertThat(c).contains("\"type\":\"exit\"").contains("\"status\":3"));
        await().atMost(WAIT).until(session::isClosed);
    }

    @Test
    void aTerminatedSessionTellsItsTabWhyAndEnds() throws Exception {
        open(Duration.ofMinutes(1));
        Tab tab = new Tab();
        session.attach(tab, 0);
        session.terminate(ErrorCode.FORBIDDEN, "Access was revoked.");
        assertThat(tab.closeCode.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ErrorCode.FORBIDDEN.closeCode());
        assertThat(tab.controls).anySatisfy(c -> assertThat(c).contains("Access was revoked."));
        assertThat(session.isClosed()).isTrue();
        assertThat(closedSessions).containsExactly(session);
    }
}
