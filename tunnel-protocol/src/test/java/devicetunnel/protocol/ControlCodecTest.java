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
                new ControlMessage.Error("bad_request", "no"),
                new ControlMessage.Welcome(1, 10_000, List.of(), List.of(), DeviceFeatures.DEFAULTS, null, 600_000));
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

    private static final DeviceFacts FACTS = new DeviceFacts("Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64", "x86_64",
            "pump-7", "0.1.0", 1_700_000_000L, List.of("10.0.0.7", "fe80::1"), 4, 8_000_000_000L);

    @Test
    void aTypeFromANewerPeerDecodesToUnknownSoTheLinkSurvivesIt() {
        assertThat(ControlCodec.decode("{\"type\":\"launch-missiles\",\"x\":1}"))
                .isEqualTo(new ControlMessage.Unknown("launch-missiles"));
    }

    @Test
    void aWelcomeFromAnOlderRelayMeansNoFacts() {
        String old = "{\"type\":\"welcome\",\"protocolVersion\":1,\"pingIntervalMillis\":25000,\"authorizedKeys\":[]}";
        assertThat(((ControlMessage.Welcome) ControlCodec.decode(old)).factsIntervalMillis()).isZero();
    }

    @Test
    void factsWithinTheBoundsComeBackAsTheyWereSent() {
        ControlMessage.Facts message = (ControlMessage.Facts) ControlCodec.decode(
                ControlCodec.encode(new ControlMessage.Facts(ControlCodec.tree(FACTS))));
        assertThat(ControlCodec.facts(message.facts())).isEqualTo(FACTS);
    }

    @Test
    void garbageOrOversizedFactsAreRefusedWithAReason() {
        for (String text : List.of("\"a string\"", "[1]", "{\"cpuCount\":\"many\"}", "{\"ipAddresses\":{\"a\":1}}",
                "{\"os\":\"" + "x".repeat(DeviceFacts.MAX_TEXT + 1) + "\"}", "{\"memoryTotal\":-1}",
                "{\"ipAddresses\":[" + "\"10.0.0.1\",".repeat(DeviceFacts.MAX_ADDRESSES) + "\"10.0.0.2\"]}",
                "{\"pad\":\"" + "x".repeat(DeviceFacts.MAX_JSON_CHARS) + "\"}")) {
            ControlMessage.Facts message = (ControlMessage.Facts) ControlCodec.decode("{\"type\":\"facts\",\"facts\":" + text + "}");
            assertThatThrownBy(() -> ControlCodec.facts(message.facts())).as(text).isInstanceOf(TunnelException.class);
        }
    }

    @Test
    void garbageAndEmptyMessagesAreBadRequests() {
        for (String text : List.of("not json", "{\"type\":\"\"}", "{}", "null", "[1,2]")) {
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
