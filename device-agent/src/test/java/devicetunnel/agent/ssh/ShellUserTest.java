package devicetunnel.agent.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.agent.cli.AgentMain;
import devicetunnel.protocol.KeyFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --shell-user}: with the agent running as root (as here and in CI), a throwaway system user
 * with a supplementary group gets every session: uid, groups, passwd environment and home as cwd,
 * in a PTY shell and in an exec command alike. An unknown user is refused at start-up.
 */
@Timeout(90)
class ShellUserTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String SUFFIX = Long.toString(ProcessHandle.current().pid());
    private static final String USER = "dtsu" + SUFFIX;
    private static final String GROUP = "dtsg" + SUFFIX;
    private static final String PROBE = "echo \"U=$(id -u) G=$(id -G) H=$HOME D=$(pwd) N=$USER L=$LOGNAME S=$SHELL\"";

    private final KeyPair relayKey = KeyFiles.generate();
    private SessionUser sessionUser;
    private DeviceSshServer server;
    private SshClient client;

    @BeforeAll
    static void createUser() throws Exception {
        assertThat(SessionUser.currentUid()).as("this test creates users: it runs as root, as CI does").isZero();
        run("groupadd", "--system", GROUP);
        run("useradd", "--system", "--create-home", "--home-dir", "/home/" + USER, "--shell", "/bin/sh", "--groups", GROUP, USER);
    }

    @AfterAll
    static void removeUser() throws Exception {
        run("userdel", "--remove", USER);
        run("groupdel", GROUP);
    }

    @BeforeEach
    void start() throws Exception {
        sessionUser = SessionUser.named(USER);
        server = new DeviceSshServer(KeyFiles.generate(), LoginShell.command(null, sessionUser), false, false,
                Duration.ofSeconds(5), sessionUser);
        server.setAuthorizedKeys(List.of(relayKey.getPublic()));
        server.start();
        client = TestClients.anyHostKey();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        server.close();
    }

    @Test
    void aPtyShellRunsAsTheShellUserInItsHome() throws Exception {
        try (ClientSession session = login()) {
            assertThat(shell(session, PROBE + "; exit\n")).contains(expected());
        }
    }

    @Test
    void anExecCommandRunsAsTheShellUserInItsHome() throws Exception {
        try (ClientSession session = login(); ChannelExec exec = session.createExecChannel(PROBE)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            exec.setOut(out);
            exec.setErr(out);
            exec.open().verify(WAIT);
            exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), WAIT);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains(expected());
            assertThat(exec.getExitStatus()).isZero();
        }
    }

    /** In-process SFTP would serve files with root's rights: it runs as the user's sftp-server, or not at all. */
    @Test
    void sftpRunsAsTheShellUserOrIsRefused() throws Exception {
        try (ClientSession session = login()) {
            if (sessionUser.sftpServer().isEmpty()) {
                assertThatThrownBy(() -> SftpClientFactory.instance().createSftpClient(session).close())
                        .isInstanceOf(IOException.class);
                return;
            }
            try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                sftp.put(new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)), "/home/" + USER + "/put.txt");
            }
            assertThat((Integer) Files.getAttribute(Path.of("/home/" + USER + "/put.txt"), "unix:uid"))
                    .isEqualTo(Integer.parseInt(idOf("-u")));
        }
    }

    @Test
    void anUnknownShellUserIsRefusedAtStartUp(@TempDir Path state) {
        String nobody = "dt-no-such-user-" + SUFFIX;
        assertThatThrownBy(() -> SessionUser.named(nobody)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no such user");
        StringWriter err = new StringWriter();
        CommandLine cli = AgentMain.commandLine();
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("--relay", "http://127.0.0.1:9", "--device-id", "d1", "--state-dir", state.toString(),
                "--enrollment-token-file", state.resolve("token").toString(), "--shell-user", nobody);
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--shell-user " + nobody + ": no such user");
        assertThat(state.resolve("host_ed25519")).doesNotExist(); // refused before the agent set anything up
    }

    private String expected() throws Exception {
        String home = "/home/" + USER;
        return "U=" + idOf("-u") + " G=" + idOf("-G") + " H=" + home + " D=" + home + " N=" + USER + " L=" + USER + " S=/bin/sh";
    }

    private static String idOf(String flag) throws Exception {
        Process id = new ProcessBuilder("id", flag, USER).start();
        String out = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        id.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private ClientSession login() throws Exception {
        ClientSession session = client.connect("relay", "127.0.0.1", server.port()).verify(WAIT).getSession();
        session.addPublicKeyIdentity(relayKey);
        session.auth().verify(WAIT);
        return session;
    }

    /** Types {@code input} and keeps the input open: an EOF would hang the shell up (SIGTERM) mid-command. */
    private static String shell(ClientSession session, String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PipedOutputStream typing = new PipedOutputStream();
        try (ChannelShell channel = session.createShellChannel(); PipedInputStream keyboard = new PipedInputStream(typing)) {
            typing.write(input.getBytes(StandardCharsets.UTF_8));
            channel.setIn(keyboard);
            channel.setOut(out);
            channel.setRedirectErrorStream(true);
            channel.open().verify(WAIT);
            assertThat(channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), WAIT)).contains(ClientChannelEvent.CLOSED);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
    }
}
