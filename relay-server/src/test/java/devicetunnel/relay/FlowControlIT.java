package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods (`yes`) against browsers that stall: the relay's memory per session stays under its design
 * bound, Ctrl-C still gets through, and other sessions stay responsive.
 */
@Timeout(180)
class FlowControlIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TerminalSessions.Settings SETTINGS = TerminalSessions.Settings.defaults();
    /** The pump reads at most this much past the watermark before it checks again. */
    private static final long PUMP_READ = 32 * 1024;
    /** What the design promises per session, whatever the device prints and the browser does. */
    private static final long BOUND = 4L * 1024 * 1024;

    @TempDir
    Path dir;
    TestRelay relay;
    String token;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir);
        relay.onlineDevice("dev-1");
        token = relay.adminToken();
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    private TerminalSession session(String id) {
        return relay.server().sessions().find(id).orElseThrow();
    }

    @Test
    void stalledBrowserHoldsTheFloodAtTheBound() throws Exception {
        try (TerminalClient term = relay.terminal("dev-1", token, 80, 24)) {
            term.setAutoAck(false);
            term.keepTail(16 * 1024);
            TerminalSession session = session(term.awaitSessionId(WAIT));
            term.type("yes\r");

            // The pump stops on the ack window, then the SSH window fills: the device is pushed back.
            await().atMost(WAIT).until(() -> session.unacknowledged() >= SETTINGS.highWatermark());
            await().atMost(WAIT).until(() -> session.bufferUse().sshBuffered() >= RelayServer.SSH_WINDOW_BYTES / 2);

            long producedAtStall = session.bytesOut();
            await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> {
                TerminalSession.BufferUse use = session.bufferUse();
                return session.bytesOut() == producedAtStall
                        && use.unacknowledged() <= SETTINGS.highWatermark() + PUMP_READ
                        && use.sshBuffered() <= RelayServer.SSH_WINDOW_BYTES
                        && use.total() < BOUND;
            });
            TerminalSession.BufferUse use = session.bufferUse();

            // The browser catches up: the flood resumes where it stopped.
            term.setAutoAck(true);
            term.ack(session.unacknowledged());
            await().atMost(WAIT).until(() -> session.bytesOut() > producedAtStall + RelayServer.SSH_WINDOW_BYTES);
            term.type("\u0003");
        }
    }

    @Test
    void browserThatAcksButDoesNotReadCannotGrowTheSendQueue() throws Exception {
        try (TerminalClient term = relay.terminal("dev-1", token, 80, 24)) {
            TerminalSession session = session(term.awaitSessionId(WAIT));
            term.pauseReading();
            term.type("yes\r");
            long limit = SETTINGS.sendQueueBytes() + PUMP_READ;
            // Acknowledging everything (a lying or buggy client) keeps the ack window open; the send
            // queue limit is then what stops the relay from buffering the flood.
            await().atMost(WAIT).until(() -> {
                term.ack(Long.MAX_VALUE / 4);
                assertThat(session.bufferUse().sendQueued()).isLessThanOrEqualTo(limit);
                return session.bufferUse().sendQueued() >= SETTINGS.sendQueueBytes();
            });
            await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> {
                term.ack(Long.MAX_VALUE / 4);
                TerminalSession.BufferUse use = session.bufferUse();
                return use.sendQueued() <= limit && use.total() < BOUND;
            });
            TerminalSession.BufferUse use = session.bufferUse();
        }
    }

    @Test
    void ctrlCStopsAFloodAndOtherSessionsStayResponsive() throws Exception {
        try (TerminalClient flood = relay.terminal("dev-1", token, 80, 24)) {
            flood.keepTail(16 * 1024);
            flood.awaitSessionId(WAIT);
            flood.type("PS1='READY> '\r");
            flood.awaitOutput(out -> out.endsWith("READY> "), WAIT);
            flood.type("yes\r");
            await().atMost(WAIT).until(() -> flood.received() > 16L * 1024 * 1024);

            try (TerminalClient other = relay.terminal("dev-1", token, 80, 24)) {
                other.awaitSessionId(WAIT);
                other.type("echo other-$((20+22))\r");
                other.awaitOutput(TerminalClient.hasLine("other-42"), WAIT);
            }

            flood.type("\u0003");
            flood.awaitOutput(out -> out.contains("^C") && out.endsWith("READY> "), WAIT);
            flood.type("echo after-$((2+3))\r");
            flood.awaitOutput(TerminalClient.hasLine("after-5"), WAIT);
        }
    }

    @Test
    void severalStalledFloodingSessionsEachStayUnderTheBound() throws Exception {
        int n = 6;
        List<TerminalClient> clients = new ArrayList<>();
        try {
            List<TerminalSession> sessions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TerminalClient c = relay.terminal("dev-1", token, 80, 24);
                c.setAutoAck(false);
                c.keepTail(4 * 1024);
                clients.add(c);
                sessions.add(session(c.awaitSessionId(WAIT)));
                c.type("cat /dev/urandom | base64\r");
            }
            for (TerminalSession s : sessions) {
                await().atMost(WAIT).until(() -> s.unacknowledged() >= SETTINGS.highWatermark()
                        && s.bufferUse().sshBuffered() >= RelayServer.SSH_WINDOW_BYTES / 2);
            }
            assertThat(sessions).allSatisfy(s -> assertThat(s.bufferUse().total()).isLessThan(BOUND));
        } finally {
            for (TerminalClient c : clients) {
                c.close();
            }
        }
    }
}
