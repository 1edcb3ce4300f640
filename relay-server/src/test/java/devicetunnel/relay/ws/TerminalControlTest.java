package devicetunnel.relay.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TerminalControlTest {
    @Test
    void theFourMessagesABrowserSends() {
        assertThat(TerminalControl.parse("{\"type\":\"resize\",\"cols\":132,\"rows\":43}"))
                .isEqualTo(new TerminalControl.Resize(132, 43));
        assertThat(TerminalControl.parse("{\"type\":\"ack\",\"bytes\":65536}")).isEqualTo(new TerminalControl.Ack(65536));
        assertThat(TerminalControl.parse("{\"type\":\"pong\"}")).isEqualTo(new TerminalControl.Pong());
        assertThat(TerminalControl.parse("{\"type\":\"close\",\"extra\":1}")).isEqualTo(new TerminalControl.Close());
    }

    @Test
    void anythingElseIsABadRequestThatSaysWhat() {
        assertBad("{\"type\":\"resize\",\"cols\":0,\"rows\":24}", "cols and rows");
        assertBad("{\"type\":\"resize\",\"cols\":80,\"rows\":1001}", "cols and rows");
        assertBad("{\"type\":\"resize\",\"cols\":\"80\"}", "cols and rows");
        assertBad("{\"type\":\"ack\",\"bytes\":-1}", "non-negative");
        assertBad("{\"type\":\"ack\"}", "non-negative");
        assertBad("{\"type\":\"" + "x".repeat(100) + "\"}", "Unknown message type '" + "x".repeat(32) + "…'");
        for (String garbage : List.of("not json", "[]", "{}")) {
            assertThatThrownBy(() -> TerminalControl.parse(garbage)).as(garbage).isInstanceOf(TunnelException.class);
        }
    }

    @Test
    void anOversizedMessageIsRefused() {
        String huge = "{\"type\":\"pong\",\"pad\":\"" + "x".repeat(TerminalControl.MAX_CHARS) + "\"}";
        assertThatThrownBy(() -> TerminalControl.parse(huge)).isInstanceOf(TunnelException.class);
    }

    private static void assertBad(String text, String says) {
        assertThatThrownBy(() -> TerminalControl.parse(text)).as(text)
                .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining(says);
    }
}
