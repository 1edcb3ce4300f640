package devicetunnel.relay.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.TunnelException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LabelSelectorTest {
    @Test
    void termsMustAllHold() {
        LabelSelector s = LabelSelector.parse("env=prod, site=berlin");
        assertThat(s.matches(Map.of("env", "prod", "site", "berlin", "x", "y"))).isTrue();
        assertThat(s.matches(Map.of("env", "prod", "site", "paris"))).isFalse();
        assertThat(s.matches(Map.of("env", "prod"))).isFalse();
    }

    @Test
    void negationMeansTheKeyIsAbsent() {
        LabelSelector s = LabelSelector.parse("!canary");
        assertThat(s.matches(Map.of())).isTrue();
        assertThat(s.matches(Map.of("canary", "true"))).isFalse();
        assertThat(s.matches(Map.of("canary", "false"))).isFalse(); // documented: remove the label instead
        assertThat(LabelSelector.parse("canary").matches(Map.of("canary", ""))).isTrue();
        assertThat(LabelSelector.parse("env!=prod").matches(Map.of())).isTrue();
        assertThat(LabelSelector.parse("env!=prod").matches(Map.of("env", "prod"))).isFalse();
        assertThat(LabelSelector.parse("").matches(Map.of("any", "thing"))).isTrue();
    }

    @Test
    void malformedTermsAreRefused() {
        assertThatThrownBy(() -> LabelSelector.parse("env=pr od")).isInstanceOf(TunnelException.class);
        assertThatThrownBy(() -> LabelSelector.parse("=prod")).isInstanceOf(TunnelException.class);
        assertThatThrownBy(() -> LabelSelector.parse("!")).isInstanceOf(TunnelException.class);
    }

    @Test
    void outputKeepsHeadAndTailWithAMarkerBetween() {
        OutputCapture capture = new OutputCapture(10);
        byte[] big = "x".repeat(10_000).concat("\nlast line\n").getBytes();
        capture.write(big, 0, big.length);
        assertThat(capture.tail()).endsWith("last line");
        assertThat(capture.truncated()).isTrue();
        assertThat(capture.full()).startsWith("xxxxxxxxxx\n[devtunnel: ").contains("bytes of output dropped here")
                .endsWith("last line\n");
        OutputCapture small = new OutputCapture(10);
        small.write("hello\nworld, this is longer than ten\n".getBytes(), 0, 37);
        assertThat(small.full()).isEqualTo("hello\nworld, this is longer than ten\n");
        assertThat(small.truncated()).isFalse();
    }
}
