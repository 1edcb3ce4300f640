package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.cli.RelayMain;
import devicetunnel.relay.store.SqliteFiles;
import devicetunnel.relay.store.StoreCheck;
import devicetunnel.relay.store.StoreErrors;
import devicetunnel.relay.support.RelayProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21: one owner per state directory, and never a relay on a broken store. Real child-JVM relays. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StoreLifecycleIT {
    @TempDir
    Path dir;
    Path state;
    Path passwordFile;

    @BeforeEach
    void setUp() throws Exception {
        state = dir.resolve("state");
        passwordFile = Files.writeString(dir.resolve("pw"), "lifecycle password");
        assertThat(cli("user", "add", "admin", "--role", "admin", "--password-file", passwordFile.toString()).code).isZero();
    }

    @Test
    void theStateDirectoryIsPrivateFromTheFirstCommand() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(SqliteFiles.db(state)))).isEqualTo("rw-------");
    }

    @Test
    void aRunningRelayOwnsTheDirectoryReadersMayLookButNotWrite() throws Exception {
        try (RelayProcess relay = RelayProcess.start(state, RelayProcess.LEAN, dir.resolve("a.log"))) {
            for (String companion : List.of("-wal", "-shm")) { // SQLite gives them the database file's mode
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                        Path.of(SqliteFiles.db(state) + companion)))).isEqualTo("rw-------");
            }
            Result add = cli("user", "add", "bob", "--password-file", passwordFile.toString());
            assertThat(add.code).isNotZero();
            assertThat(add.err).contains(StoreErrors.IN_USE);
            Process second = RelayProcess.launch(state, RelayProcess.LEAN, dir.resolve("b.log"));
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isNotZero();
            assertThat(Files.readString(dir.resolve("b.log"))).contains(StoreErrors.IN_USE);

            assertThat(cli("db", "check").out).contains("store OK");
            Path backup = dir.resolve("online.db");
            assertThat(cli("db", "backup", backup.toString()).code).isZero();
            assertThat(StoreCheck.integrity(backup)).isEmpty();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup))).isEqualTo("rw-------");
            Result restore = cli("db", "restore", backup.toString());
            assertThat(restore.code).isNotZero();
            assertThat(restore.err).contains(StoreErrors.IN_USE);
        }
    }

    @Test
    void sigtermWhileCommandsAndASecondRelayStartEachIsRefusedOrSucceedsCleanly() throws Exception {
        RelayProcess first = RelayProcess.start(state, RelayProcess.LEAN, dir.resolve("a.log"));
        Process second;
        List<Result> results = new ArrayList<>();
        try {
            CompletableFuture<Process> secondStart = CompletableFuture.supplyAsync(() -> {
                try {
                    return RelayProcess.launch(state, RelayProcess.LEAN, dir.resolve("b.log"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            first.terminate();
            for (int i = 0; i < 12; i++) {
                results.add(cli("user", "add", "u" + i, "--role", "viewer", "--password-file", passwordFile.toString()));
            }
            second = secondStart.get(30, TimeUnit.SECONDS);
            assertThat(first.awaitExit(java.time.Duration.ofSeconds(60))).isTrue();
        } finally {
            first.close();
        }
        // the second relay either runs (it got the directory after the first let go) or was refused
        boolean secondExited = second.waitFor(20, TimeUnit.SECONDS);
        String secondLog = Files.readString(dir.resolve("b.log"));
        if (secondExited) {
            assertThat(secondLog).contains(StoreErrors.IN_USE);
        } else {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> Files.readString(dir.resolve("b.log")).contains("relay listening"));
            second.destroy();
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        List<String> added = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            if (r.code == 0) {
                added.add("u" + i);
            } else {
                assertThat(r.err).as("command %d", i).contains(StoreErrors.IN_USE);
            }
        }
        Result check = cli("db", "check");
        assertThat(check.out).contains("store OK");
        Result list = cli("user", "list");
        assertThat(list.code).isZero();
        added.forEach(u -> assertThat(list.out).contains(u));
    }

    @Test
    void aDamagedStoreRefusesTheStartWithTheRepairHintAndARestoreBringsItBack() throws Exception {
        Path backup = dir.resolve("good.db");
        assertThat(cli("db", "backup", backup.toString()).code).isZero();
        damage(SqliteFiles.db(state));
        Process broken = RelayProcess.launch(state, RelayProcess.LEAN, dir.resolve("broken.log"));
        assertThat(broken.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(broken.exitValue()).isNotZero();
        String log = Files.readString(dir.resolve("broken.log"));
        assertThat(log).contains("relay-server db restore").doesNotContain("relay listening");
        Result check = cli("db", "check");
        assertThat(check.code).isEqualTo(1);
        assertThat(check.out).contains("problem: ").contains("relay-server db restore");

        Result restore = cli("db", "restore", backup.toString());
        assertThat(restore.code).as(restore.err).isZero();
        try (RelayProcess relay = RelayProcess.start(state, RelayProcess.LEAN, dir.resolve("restored.log"))) {
            assertThat(relay.log()).contains("relay listening");
        }
        assertThat(cli("user", "list").out).contains("admin");
    }

    @Test
    void afterARestoreTheEnrolledAgentReconnectsWithoutReEnrolment() throws Exception {
        try (devicetunnel.relay.support.TestRelay relay = new devicetunnel.relay.support.TestRelay(dir.resolve("inproc"))) {
            Path relayState = dir.resolve("inproc").resolve("relay");
            relay.startAgent("dev-restore", java.util.Map.of());
            relay.awaitOnline("dev-restore", true);
            int port = relay.stop();
            Path backup = dir.resolve("with-device.db");
            assertThat(RelayMain.commandLine().execute("db", "backup", backup.toString(), "--state-dir",
                    relayState.toString())).isZero();
            damage(SqliteFiles.db(relayState));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> relay.startAgain(port))
                    .hasMessageContaining("relay-server db restore");
            assertThat(RelayMain.commandLine().execute("db", "restore", backup.toString(), "--state-dir",
                    relayState.toString())).isZero();
            relay.startAgain(port);
            relay.awaitOnline("dev-restore", true, java.time.Duration.ofSeconds(30));
        }
    }

    private static void damage(Path db) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            // page 2 onwards holds the tables' b-trees: garbage there is what a torn disk leaves
            for (long at = 4096; at < Math.min(f.length(), 4096L * 6); at += 512) {
                f.seek(at);
                f.write("garbage garbage garbage garbage".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    private record Result(int code, String out, String err) {}

    private Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", state.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var cli = RelayMain.commandLine();
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true)); // the commands print results with System.out
        try {
            int code = cli.execute(all.toArray(String[]::new));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }
}
