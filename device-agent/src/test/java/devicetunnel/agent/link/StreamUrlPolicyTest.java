package devicetunnel.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class StreamUrlPolicyTest {
    private final StreamUrlPolicy policy = new StreamUrlPolicy(
            RelayEndpoint.parse("https://relay.example.com", false), List.of("*.relays.example.com", "relay-b.example.net"));

    @Test
    void withoutAUrlTheStreamGoesToTheLinkedRelay() {
        assertThat(policy.streamUri("s1", null).toString()).isEqualTo("wss://relay.example.com/agent/v1/streams/s1");
    }

    @Test
    void aSiblingOnATrustedHostGetsTheStream() {
        assertThat(policy.streamUri("s1", "https://r2.relays.example.com:8443").toString())
                .isEqualTo("wss://r2.relays.example.com:8443/agent/v1/streams/s1");
        assertThat(policy.streamUri("s1", "https://relay-b.example.net/").toString())
                .isEqualTo("wss://relay-b.example.net/agent/v1/streams/s1");
        assertThat(policy.streamUri("s1", "https://relay.example.com:9443").toString())
                .isEqualTo("wss://relay.example.com:9443/agent/v1/streams/s1");
    }

    @Test
    void refusesDowngradesUnknownHostsAndDecoratedUrls() {
        assertThatThrownBy(() -> policy.streamUri("s1", "http://r2.relays.example.com")).hasMessageContaining("scheme");
        assertThatThrownBy(() -> policy.streamUri("s1", "https://evil.example.org")).hasMessageContaining("not trusted");
        assertThatThrownBy(() -> policy.streamUri("s1", "https://relays.example.com.evil.org")).hasMessageContaining("not trusted");
        assertThatThrownBy(() -> policy.streamUri("s1", "https://user@r2.relays.example.com")).hasMessageContaining("plain");
        assertThatThrownBy(() -> policy.streamUri("s1", "https://r2.relays.example.com/?x=1")).hasMessageContaining("plain");
        assertThatThrownBy(() -> policy.streamUri("s1", "ht tp://x")).hasMessageContaining("malformed");
    }
}
