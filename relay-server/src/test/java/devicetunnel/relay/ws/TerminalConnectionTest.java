package devicetunnel.relay.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.ssh.TerminalViewer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Input typed before a terminal session is ready: kept in order, bounded, handed over once. */
@Timeout(30)
class TerminalConnectionTest {
    private static final TerminalViewer NOBODY = new TerminalViewer() {
        @Override
        public void sendOutput(ByteBuffer data, Runnable written) {
            written.run();
        }

        @Override
        public void sendControl(String json) {
        }

        @Override
        public void close(int code, String reason) {
        }
    };

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void earlyInputIsKeptInOrderUntilSettledThenInputGoesStraightThrough() {
        TerminalConnection connection = new TerminalConnection(NOBODY, 1024);
        assertThat(connection.takeInput(bytes("ls"))).isNull();
        assertThat(connection.takeInput(bytes(" -l\r"))).isNull();
        assertThat(new String(connection.settle(), StandardCharsets.UTF_8)).isEqualTo("ls -l\r");
        assertThat(connection.takeInput(bytes("pwd\r"))).as("still settling: kept for the next round").isNull();
        assertThat(new String(connection.settle(), StandardCharsets.UTF_8)).isEqualTo("pwd\r");
        assertThat(connection.settle()).as("nothing left: from now on input goes straight").isEmpty();
        assertThat(connection.takeInput(bytes("x"))).as("no session bound in this test").isNull();
    }

    @Test
    void tooMuchEarlyInputIsRefused() {
        TerminalConnection connection = new TerminalConnection(NOBODY, 8);
        connection.takeInput(bytes("12345678"));
        assertThatThrownBy(() -> connection.takeInput(bytes("9")))
                .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
    }

    @Test
    void aWebsocketThatWentAwayNeitherBindsNorSettles() {
        TerminalConnection connection = new TerminalConnection(NOBODY, 1024);
        connection.takeInput(bytes("typed"));
        assertThat(connection.markGone()).isNull();
        assertThat(connection.settle()).isNull();
        assertThat(connection.bind(null)).isFalse();
    }
}
