package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ControlCodecTest {
    @Test
    void everyMessageTypeSurvivesARoundTrip() {
        List<ControlMessage> messages = List.of(
                new ControlMessage.Hello(1, "0.1.0", "ssh-ed25519 AAAA host"),
                new ControlMessage.Welcome(1, 10_000, List.of("ssh-ed25519 AAAA relay"), List.of("ssh-ed25519 BBBB ca"),
                        null),
                new ControlMessage.OpenStream("s-1", "token", "https://relay-a.example"),
                new ControlMessage.StreamFailed("s-1", "refused"),
                new ControlMessage.Ping(42),
                new ControlMessage.Pong(42),
                new ControlMessage.Drain(1500, "upgrade"),
                new ControlMessage.Error("bad_request", "no"));
        for (ControlMessage message : messages) {
            assertThat(ControlCodec.decode(ControlCodec.encode(message))).isEqualTo(message);
        }
    }

    @Test
    void theTypeFieldNamesTheRecordOnTheWire() {
        assertThat(ControlCodec.encode(new ControlMessage.StreamFailed("s", "m"))).contains("\"type\":\"stream-failed\"");
        assertThat(ControlCodec.encode(new ControlMessage.OpenStream("s", "t"))).contains("\"type\":\"open\"");
    }

    @Test
    void anOpenWithoutUrlLeavesTheFieldOutSoOlderAgentsSeeWhatTheyKnow() {
        String json = ControlCodec.encode(new ControlMessage.OpenStream("s-1", "t"));
        assertThat(json).doesNotContain("url");
        assertThat(((ControlMessage.OpenStream) ControlCodec.decode(json)).url()).isNull();
    }

    @Test
    void fieldsANewerPeerAddsAreIgnored() {
        ControlMessage message = ControlCodec.decode("{\"type\":\"ping\",\"sentAtMillis\":7,\"future\":{\"x\":1}}");
        assertThat(message).isEqualTo(new ControlMessage.Ping(7));
    }

    @Test
    void garbageUnknownTypesAndEmptyMessagesAreBadRequests() {
        for (String text : List.of("not json", "{\"type\":\"launch-missiles\"}", "{}", "null", "[1,2]")) {
            assertThatThrownBy(() -> ControlCodec.decode(text)).as(text)
                    .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }

    @Test
    void anOversizedMessageIsRefusedBeforeParsing() {
        String huge = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(ControlCodec.MAX_MESSAGE_CHARS) + "\"}";
        assertThatThrownBy(() -> ControlCodec.decode(huge))
                .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        assertThatThrownBy(() -> ControlCodec.decode(null)).isInstanceOf(TunnelException.class);
    }
}
