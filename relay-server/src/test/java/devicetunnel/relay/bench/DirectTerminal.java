package devicetunnel.relay.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.session.ClientSession;

/** The baseline terminal: a PTY shell channel straight to the agent's SSH server. */
final class DirectTerminal implements Terminal {
    private final OutputWatcher output = new OutputWatcher();
    private final ClientSession session;
    private final ChannelShell channel;
    private OutputStream input; // exists once the channel is open

    private DirectTerminal(ClientSession session, ChannelShell channel) {
        this.session = session;
        this.channel = channel;
    }

    /** Connects, authenticates and opens the shell; output is watched as MINA delivers it. */
    static DirectTerminal open(DirectSsh ssh, int cols, int rows, Duration timeout) throws IOException {
        ClientSession session = ssh.connect(timeout);
        ChannelShell channel = session.createShellChannel();
        channel.setPtyType("xterm-256color");
        channel.setPtyColumns(cols);
        channel.setPtyLines(rows);
        DirectTerminal terminal = new DirectTerminal(session, channel);
        channel.setOut(terminal.sink());
        channel.setErr(OutputStream.nullOutputStream());
        channel.open().verify(timeout);
        terminal.input = channel.getInvertedIn();
        return terminal;
    }

    private OutputStream sink() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                output.accept(b, off, len);
            }
        };
    }

    @Override
    public OutputWatcher output() {
        return output;
    }

    @Override
    public void type(byte[] keys) {
        try {
            input.write(keys);
            input.flush();
        } catch (IOException e) {
            throw new IllegalStateException("shell input closed", e);
        }
    }

    @Override
    public void close() {
        channel.close(true);
        session.close(true);
    }
}
