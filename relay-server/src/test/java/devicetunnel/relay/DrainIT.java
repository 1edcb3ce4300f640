package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.agent.Agent;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Graceful shutdown in process: refuse new work, send agents away, let sessions finish, then close them clearly. */
@Timeout(120)
class DrainIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    TestRelay relay;
    Agent agent;
    String token;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir, c -> c.withPingInterval(Duration.ofSeconds(1)));
        agent = relay.onlineDevice("dev-1");
        token = relay.adminToken();
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    private CompletableFuture<Boolean> drainAsync(Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return relay.server().drain(timeout, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new CompletionException(e);
            }
        });
    }

    @Test
    void drainRefusesNewWorkLetsOpenSessionsRunThenHandsThemOver() throws Exception {
        try (TerminalClient term = relay.terminal("dev-1", token, 80, 24)) {
            term.awaitSessionId(WAIT);
            CompletableFuture<Boolean> drained = drainAsync(Duration.ofSeconds(8));

            await().atMost(WAIT).until(() -> relay.get("/readyz", null).statusCode() == 503);
            try (TerminalClient refused = relay.terminal("dev-1", token, 80, 24)) {
                assertThat(refused.awaitControl("error", WAIT).get("error").asText()).isEqualTo("service_unavailable");
                assertThat(refused.awaitClose(WAIT)).isEqualTo(4503);
            }
            // The agent was told to reconnect later and is refused (503) while the relay drains.
            await().atMost(WAIT).until(() -> !agent.isOnline() && !relay.server().registry().isOnline("dev-1"));

            term.type("echo during-drain-$((4+4))\r");
            term.awaitOutput(TerminalClient.hasLine("during-drain-8"), WAIT);

            assertThat(drained.get(30, TimeUnit.SECONDS)).as("a session was still open at the drain timeout").isFalse();
            // Handed over: a plain 1001 (the console resumes), the device keeps the shell.
            assertThat(term.awaitClose(WAIT)).isEqualTo(1001);
            assertThat(term.controlTypes()).doesNotContain("error");
            await().atMost(WAIT).until(() -> agent.sshServer().runningShells() == 1);
            assertThat(relay.server().sessions().all()).isEmpty();
        }
    }

    @Test
    void drainEndsAsSoonAsTheLastSessionFinishes() throws Exception {
        try (TerminalClient term = relay.terminal("dev-1", token, 80, 24)) {
            term.awaitSessionId(WAIT);
            CompletableFuture<Boolean> drained = drainAsync(Duration.ofMinutes(5));
            await().atMost(WAIT).until(() -> !relay.server().sessions().isAccepting());
            term.type("exit 0\r");
            assertThat(term.awaitControl("exit", WAIT).get("status").asInt()).isZero();
            assertThat(drained.get(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
