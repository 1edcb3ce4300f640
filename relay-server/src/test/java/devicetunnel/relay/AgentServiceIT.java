package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.agent.Agent;
import devicetunnel.agent.cli.AgentMain;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TestRelay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The agent as a service: {@code install} writes a unit systemd accepts, a state directory with the
 * right owner and modes and the token inside it; the unit's own command line enrolls against a real
 * relay; {@code status} follows the link (0 connected, 1 not, 2 not enrolled, 3 not running);
 * {@code uninstall} takes the unit away and keeps the state unless purged.
 */
@Timeout(180)
class AgentServiceIT {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final String USER = "dtsvc" + ProcessHandle.current().pid();

    @TempDir
    Path dir;

    private Process service;

    @AfterEach
    void cleanUp() throws Exception {
        if (service != null && service.isAlive()) {
            service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        new ProcessBuilder("userdel", USER).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void installedUnitVerifiesRunsEnrollsReportsAndUninstalls() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            Path token = relay.tokenFile(relay.enrollmentToken(false, true, Map.of()));
            Path units = dir.resolve("units");
            Path state = dir.resolve("state");
            Run install = agent("install", "--relay", relay.baseUrl(), "--enrollment-token-file", token.toString(),
                    "--device-id", "svc-1", "--user", USER, "--state-dir", state.toString(), "--unit-dir", units.toString(),
                    "--no-start");
            assertThat(install.exit()).as(install.out()).isZero();
            assertThat(install.out()).contains("created system user " + USER).contains("systemd is not running here");

            Path unit = units.resolve("device-agent.service");
            String text = Files.readString(unit);
            assertThat(text).contains("User=" + USER, "Restart=always", "RestartSec=", "NoNewPrivileges=yes",
                    "ProtectSystem=full", "PrivateTmp=yes", "ReadWritePaths=" + state);
            assertThat(text).doesNotContain(Files.readString(token).strip()); // the token never on the command line
            Process verify = new ProcessBuilder("systemd-analyze", "verify", unit.toString()).redirectErrorStream(true).start();
            String verdict = new String(verify.getInputStream().readAllBytes());
            assertThat(verify.waitFor()).as(verdict).isZero();
            assertThat(verdict).isBlank();

            assertThat(mode(unit)).isEqualTo("rw-r--r--");
            assertThat(mode(state)).isEqualTo("rwx------");
            assertThat(owner(state)).isEqualTo(USER);
            Path tokenCopy = state.resolve("enrollment.token");
            assertThat(mode(tokenCopy)).isEqualTo("rw-------");
            assertThat(owner(tokenCopy)).isEqualTo(USER);
            assertThat(Files.readString(tokenCopy).strip()).isEqualTo(Files.readString(token).strip());
            assertThat(agent("status", "--state-dir", state.toString()).exit()).isEqualTo(3); // installed, not started

            service = start(execStart(text), state);
            awaitStatus(state, 0);
            Run status = agent("status", "--state-dir", state.toString());
            assertThat(status.out()).contains("connected to " + relay.baseUrl(), "enrolled at", "relay key:   SHA256:",
                    "pid " + service.pid());
            relay.awaitOnline("svc-1", true);
            // The fingerprint the console shows for the device, to compare before accepting it.
            assertThat(status.out()).contains("host key:    " + devicetunnel.relay.store.HostKeyFingerprint.of(
                    relay.server().devices().find("svc-1").orElseThrow().hostKey()));

            int port = relay.stop();
            awaitStatus(state, 1);
            assertThat(agent("status", "--state-dir", state.toString()).out()).contains("offline", "last error:  ");
            relay.startAgain(port);
            awaitStatus(state, 0);

            service.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no goodbye, the status file stays behind
            Run dead = agent("status", "--state-dir", state.toString());
            assertThat(dead.exit()).isEqualTo(3);
            assertThat(dead.out()).contains("process " + service.pid() + " is gone");

            Run uninstall = agent("uninstall", "--unit-dir", units.toString());
            assertThat(uninstall.exit()).as(uninstall.out()).isZero();
            assertThat(unit).doesNotExist();
            assertThat(state.resolve("host_ed25519")).exists(); // kept: the device keeps its identity
            Run purge = agent("uninstall", "--unit-dir", units.toString(), "--state-dir", state.toString(), "--purge");
            assertThat(purge.exit()).isZero();
            assertThat(state).doesNotExist();
        }
    }

    @Test
    void statusSaysNotEnrolledWhileTheTokenIsRefusedAndNotRunningAfterAStop() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            Path state = dir.resolve("agent");
            Agent agent = relay.startAgent("unenrolled-1", state, relay.tokenFile("not-a-token"));
            awaitStatus(state, 2);
            Run status = agent("status", "--state-dir", state.toString());
            assertThat(status.out()).contains("not enrolled", "cannot enroll");
            assertThat(status.out()).doesNotContain("not-a-token");
            assertThat(Files.getPosixFilePermissions(state.resolve("status.json")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            agent.close();
            Run stopped = agent("status", "--state-dir", state.toString());
            assertThat(stopped.exit()).isEqualTo(3);
            assertThat(stopped.out()).contains("not running (stopped at");
        }
    }

    private record Run(int exit, String out) {}

    private static void awaitStatus(Path state, int exit) {
        await().atMost(WAIT).untilAsserted(() -> {
            Run status = agent("status", "--state-dir", state.toString());
            assertThat(status.exit()).as(status.out()).isEqualTo(exit);
        });
    }

    /** The agent's command line, in this JVM (status reads files; install writes them). */
    private static Run agent(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = AgentMain.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        int exit = cli.execute(args);
        return new Run(exit, out.toString());
    }

    /** The unit's ExecStart, split as systemd does for arguments without quotes or specifiers (all of ours here). */
    private static List<String> execStart(String unit) {
        String line = unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        List<String> argv = new ArrayList<>(List.of(line.substring("ExecStart=".length()).split(" ")));
        assertThat(argv).noneMatch(a -> a.startsWith("\"") || a.contains("%") || a.contains("$"));
        // Lean JVM flags after the java binary only: the machine is shared (the agent's own flags stay).
        argv.addAll(1, RelayProcess.LEAN);
        return argv;
    }

    /**
     * Runs as root rather than as the unit's user: this JVM's class path lives under /root, which a
     * system user cannot read (an installed agent's jar lives in a readable place).
     */
    private static Process start(List<String> command, Path state) throws Exception {
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(state.getParent().resolve("service.log").toFile()).start();
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static String owner(Path p) throws Exception {
        return Files.getOwner(p).getName();
    }
}
