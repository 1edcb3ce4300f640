package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.relay.cli.RelayMain;
import devicetunnel.relay.support.OperatorCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command line path a newcomer is likely to get wrong answers in words, not in the driver's
 * or the JDK's ("No enum constant ...", "Failed to get driver instance for jdbcUrl=...", a bare
 * path). The relay-running case ("the relay is running on this state directory") is StoreLifecycleIT's.
 */
@Timeout(120)
class CliPlainWordsIT {
    /** What no message a person reads should contain. */
    private static final List<String> RAW = List.of("No enum constant", "Failed to", "Exception", "jdbcUrl=", "org.", "java.");

    @TempDir
    Path dir;

    record Result(int code, String err) {}

    @Test
    void anUnknownRoleListsTheRoles() throws Exception {
        Result r = relayCli("user", "add", "bob", "--role", "superuser", "--password-file", password().toString());
        assertThat(r.code).isEqualTo(2);
        assertPlain(r.err, "unknown role superuser: use admin, operator or viewer");
    }

    @Test
    void aMissingPasswordFileIsNamed() {
        Path missing = dir.resolve("no-such-password");
        Result r = relayCli("user", "add", "bob", "--password-file", missing.toString());
        assertThat(r.code).isNotZero();
        assertPlain(r.err, "no such file or directory: " + missing);
    }

    @Test
    void anUnknownDeviceStatusListsTheStatuses() {
        Result r = relayCli("device", "list", "--status", "online");
        assertThat(r.code).isEqualTo(2);
        assertPlain(r.err, "unknown status online: use pending, accepted or revoked");
    }

    @Test
    void aDatabaseUrlNoDriverTakesSaysWhatToWrite() {
        Result r = relayCli("user", "list", "--database-url", "jdbc:mysql://db.example.com/relay?password=secret");
        assertThat(r.code).isEqualTo(2);
        assertPlain(r.err, "no database driver for jdbc:mysql://db.example.com/relay: use jdbc:postgresql://HOST/DATABASE");
        assertThat(r.err).doesNotContain("secret");
    }

    @Test
    void aPostgresqlDatabaseThatDoesNotExistIsSaidSo() {
        Result r = relayCli("user", "list", "--database-url", "jdbc:postgresql://127.0.0.1:5432/no_such_database_dt22");
        assertThat(r.code).isNotZero();
        assertPlain(r.err, "The database named in --database-url does not exist");
    }

    @Test
    void aNegativeBoundIsRefusedNotTakenForTheDefault() {
        Result r = relayCli("serve", "--listen", "127.0.0.1:0", "--max-device-handshakes", "-1");
        assertThat(r.code).isNotZero();
        assertPlain(r.err, "--max-concurrent-logins and --max-device-handshakes take 0 (the default) or more");
        Result reserve = relayCli("serve", "--listen", "127.0.0.1:0", "--shell-handshake-reserve", "some");
        assertThat(reserve.code).isNotZero();
        assertPlain(reserve.err, "--shell-handshake-reserve takes auto or a number of 0 or more, not 'some'");
    }

    @Test
    void devtunnelNamesAMissingPasswordFile() {
        Path missing = dir.resolve("no-such-password");
        OperatorCli.Result r = new OperatorCliRunner(dir).login(missing);
        assertThat(r.exitCode()).isNotZero();
        assertPlain(r.stderr(), "devtunnel: no such file or directory: " + missing);
    }

    private static void assertPlain(String err, String expected) {
        assertThat(err).contains(expected);
        for (String raw : RAW) {
            assertThat(err).as("raw text in %s", err).doesNotContain(raw);
        }
    }

    private Path password() throws Exception {
        return Files.writeString(dir.resolve("password"), "correct horse battery");
    }

    private Result relayCli(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", dir.resolve("state").toString()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(err, true)); // some commands report with System.err
        try {
            var cli = RelayMain.commandLine();
            cli.setErr(new java.io.PrintWriter(System.err, true));
            int code = cli.execute(all.toArray(String[]::new));
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(stderr);
        }
    }

    /** devtunnel with its own config dir. */
    private record OperatorCliRunner(Path dir) {
        OperatorCli.Result login(Path passwordFile) {
            try {
                return new OperatorCli(dir.resolve("operator")).devtunnelOutput("login", "--relay", "http://127.0.0.1:1",
                        "--username", "alice", "--password-file", passwordFile.toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
