package devicetunnel.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The optional {@code url} of {@code open}: absent on the wire unless set, so older peers see the old message. */
@Timeout(10)
class OpenStreamCodecTest {
    @Test
    void aLocalOpenLooksAsItAlwaysDid() {
        String json = ControlCodec.encode(new ControlMessage.OpenStream("s1", "t1"));
        assertThat(json).doesNotContain("url");
        assertThat(ControlCodec.decode("{\"type\":\"open\",\"streamId\":\"s1\",\"token\":\"t1\"}"))
                .isEqualTo(new ControlMessage.OpenStream("s1", "t1", null));
    }

    @Test
    void aClusterOpenCarriesTheSiblingsUrl() {
        ControlMessage open = new ControlMessage.OpenStream("s1", "t1", "https://relay-a.example.com");
        assertThat(ControlCodec.decode(ControlCodec.encode(open))).isEqualTo(open);
    }
}
