package devicetunnel.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ForwardedClientTest {
    private static final byte[] SECRET = "the cluster's shared token secret".getBytes(StandardCharsets.UTF_8);

    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private final ForwardedClient relayA = new ForwardedClient(SECRET, "relay-a", now::get);
    private final ForwardedClient relayB = new ForwardedClient(SECRET, "relay-b", now::get);

    @Test
    void aSiblingVouchesForTheClientsAddressOnThatRequestOnly() {
        String header = relayA.sign("198.51.100.7", "DELETE", "/api/v1/runs/relay-b.00ff");
        assertThat(relayB.verifiedClient(header, "DELETE", "/api/v1/runs/relay-b.00ff")).isEqualTo("198.51.100.7");
        assertThat(relayB.verifiedClient(header, "GET", "/api/v1/runs/relay-b.00ff")).as("another method").isNull();
        assertThat(relayB.verifiedClient(header, "DELETE", "/api/v1/runs/relay-b.0100")).as("another path").isNull();
    }

    @Test
    void aClientCannotClaimAnAddressWithoutTheClustersSecret() {
        ForwardedClient outsider = new ForwardedClient("a guess".getBytes(StandardCharsets.UTF_8), "relay-a", now::get);
        String forged = outsider.sign("198.51.100.7", "GET", "/api/v1/runs");
        assertThat(relayB.verifiedClient(forged, "GET", "/api/v1/runs")).isNull();

        String genuine = relayA.sign("198.51.100.7", "GET", "/api/v1/runs");
        String otherAddress = genuine.replace("198.51.100.7", "203.0.113.9");
        assertThat(relayB.verifiedClient(otherAddress, "GET", "/api/v1/runs")).as("address swapped").isNull();
        assertThat(relayB.verifiedClient("relay-a;not-an-ip;1;00", "GET", "/api/v1/runs")).isNull();
        assertThat(relayB.verifiedClient("garbage", "GET", "/api/v1/runs")).isNull();
        assertThat(relayB.verifiedClient(null, "GET", "/api/v1/runs")).isNull();
    }

    @Test
    void aCapturedHeaderExpires() {
        String header = relayA.sign("198.51.100.7", "GET", "/api/v1/runs");
        now.addAndGet(29_000);
        assertThat(relayB.verifiedClient(header, "GET", "/api/v1/runs")).isEqualTo("198.51.100.7");
        now.addAndGet(2_000);
        assertThat(relayB.verifiedClient(header, "GET", "/api/v1/runs")).isNull();
    }
}
