package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import devicetunnel.protocol.ControlCodec;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.Protocol;
import devicetunnel.relay.support.RawAgentLink;
import devicetunnel.relay.support.TestRelay;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bound on device handshakes in flight (upgrade to welcome): past it a device's connect is
 * refused at once with 503 (the agent backs off), and the slot comes back at the welcome or when a
 * link closes before saying hello. A device with shells to resume may take a small reserve past it.
 */
@Timeout(120)
class DeviceHandshakeLimitIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void connectsPastTheBoundAreRefusedUntilAHandshakeEnds() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withHardening(c.hardening()
                .withNetwork(c.hardening().network().withConcurrentDeviceHandshakes(1))))) {
            KeyPair first = relay.enrollDevice("first", Map.of());
            KeyPair second = relay.enrollDevice("second", Map.of());
            KeyPair third = relay.enrollDevice("third", Map.of());

            try (RawAgentLink holding = RawAgentLink.open(relay, "first", first)) { // upgraded, no hello yet
                assertThat(refusedStatus(relay, "second", second)).as("the one slot is taken").isEqualTo(503);

                holding.send(ControlCodec.encode(new ControlMessage.Hello(Protocol.VERSION, "test",
                        PublicKeyEntry.toString(first.getPublic()))));
                await().atMost(WAIT).until(() -> holding.count("\"type\":\"welcome\"") == 1);

                RawAgentLink quitter = RawAgentLink.open(relay, "second", second); // the slot came back at the welcome
                assertThat(refusedStatus(relay, "third", third)).isEqualTo(503);
                quitter.close(); // gone before its hello: the slot comes back too
                await().atMost(WAIT).ignoreExceptions().until(() -> {
                    RawAgentLink.open(relay, "third", third).close();
                    return true;
                });
            }
        }
    }

    @Test
    void aDeviceWithShellsToResumeIsLetInPastTheBound() throws Exception {
        try (TestRelay relay = new TestRelay(dir, c -> c.withHardening(c.hardening()
                .withNetwork(c.hardening().network().withConcurrentDeviceHandshakes(1))))) {
            KeyPair idle = relay.enrollDevice("idle", Map.of());
            KeyPair withShells = relay.enrollDevice("with-shells", Map.of());
            KeyPair later = relay.enrollDevice("later", Map.of());

            try (RawAgentLink holding = RawAgentLink.open(relay, "idle", idle); // the one slot, no hello yet
                 RawAgentLink resuming = RawAgentLink.open(relay, "with-shells", withShells,
                         Map.of(Protocol.SHELLS_HEADER, "1"))) {
                resuming.send(ControlCodec.encode(new ControlMessage.Hello(Protocol.VERSION, "test",
                        PublicKeyEntry.toString(withShells.getPublic()))));
                await().atMost(WAIT).until(() -> resuming.count("\"type\":\"welcome\"") == 1);
                assertThat(holding.count("welcome")).isZero();
                assertThat(refusedStatus(relay, "later", later)).as("an idle device still waits").isEqualTo(503);
            }
        }
    }

    private static int refusedStatus(TestRelay relay, String deviceId, KeyPair key) {
        Throwable cause = catchThrowable(() -> RawAgentLink.open(relay, deviceId, key));
        while (cause != null && !(cause instanceof WebSocketHandshakeException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("connect of %s refused at the upgrade", deviceId).isNotNull();
        return ((WebSocketHandshakeException) cause).getResponse().statusCode();
    }
}
