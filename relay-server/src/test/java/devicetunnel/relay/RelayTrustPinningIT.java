package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import devicetunnel.agent.Agent;
import devicetunnel.agent.link.Enrollment;
import devicetunnel.protocol.ControlMessage;
import devicetunnel.protocol.DeviceFeatures;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TrustRotation;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.support.FakeRelay;
import devicetunnel.relay.support.LogCapture;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent takes no new trust from the network: the relay keys and user CA keys it got at
 * enrollment are pinned; whoever answers on the relay's URL with other keys is refused, gets no
 * stream and cannot log in; only a rotation signed by the pinned relay key moves the pins.
 */
@Timeout(120)
class RelayTrustPinningIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void anImpostorOnTheRelaysUrlWithItsOwnKeysIsRefusedGetsNoStreamAndCannotLogIn() throws Exception {
        try (TestRelay relay = new TestRelay(dir); LogCapture logs = new LogCapture()) {
            Path state = dir.resolve("agent");
            Agent agent = relay.startAgent("dev-1", state, relay.tokenFile(relay.enrollmentToken(false, true, Map.of())));
            relay.awaitOnline("dev-1", true);
            String pinnedRecord = Files.readString(state.resolve(Enrollment.RECORD_FILE));
            int port = relay.stop();

            KeyPair impostorKey = KeyFiles.generate();
            KeyPair impostorCa = KeyFiles.generate();
            List<String> keys = List.of(PublicKeyEntry.toString(impostorKey.getPublic()));
            List<String> caKeys = List.of(PublicKeyEntry.toString(impostorCa.getPublic()));
            try (FakeRelay impostor = new FakeRelay(port, hello -> List.of(
                    new ControlMessage.OpenStream("early", "t0"),
                    new ControlMessage.Welcome(Protocol.VERSION, 60_000, keys, caKeys, DeviceFeatures.DEFAULTS,
                            // self-signed: proves nothing to an agent that pinned another key
                            TrustRotation.sign(keys, caKeys, impostorKey.getPrivate())),
                    new ControlMessage.OpenStream("late", "t1")))) {
                await().atMost(WAIT).until(() -> refusals(impostor) > 0);
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> impostor.streamsOpened() == 0);
                assertThat(agent.isOnline()).isFalse();
                assertThat(agent.sshServer().streamSessions()).isZero();
                assertThatThrownBy(() -> login(agent, impostorKey)).hasMessageContaining("No more authentication methods");
                assertThat(logs.lines()).anyMatch(l -> l.contains("REFUSING relay") && l.contains("not pinned at enrollment"));
                assertThat(Files.readString(state.resolve(Enrollment.RECORD_FILE))).isEqualTo(pinnedRecord);
            }

            relay.startAgain(port); // the real relay is back: its pinned keys still work
            relay.awaitOnline("dev-1", true);
            assertTerminalWorks(relay, "dev-1");
        }
    }

    @Test
    void aSecondRealRelayWithFreshStateIsRefusedAndTheRefusalIsAudited() throws Exception {
        Path state = dir.resolve("agent");
        int port;
        Agent agent;
        try (TestRelay relay = new TestRelay(dir.resolve("real"))) {
            agent = relay.startAgent("dev-1", state, relay.tokenFile(relay.enrollmentToken(false, true, Map.of())));
            relay.awaitOnline("dev-1", true);
            port = relay.stop();
            // The impostor knows the device's public host key (it is no secret), so it accepts its proof.
            try (TestRelay impostor = new TestRelay(dir.resolve("impostor"), c -> c.withPort(port))) {
                impostor.enrollAgentState("dev-1", state, Map.of());
                await().atMost(WAIT).until(() -> !impostor.server().audit()
                        .recent(100, "device.relay_key.refused", "dev-1").isEmpty());
                assertThat(agent.isOnline()).isFalse();
                KeyPair impostorKey = KeyFiles.load(dir.resolve("impostor").resolve("relay").resolve("relay_ed25519"));
                assertThatThrownBy(() -> login(agent, impostorKey)).hasMessageContaining("No more authentication methods");
                assertThat(agent.sshServer().streamSessions()).isZero();
            }
        }
    }

    @Test
    void aRelayKeyRotationSignedByThePinnedKeyIsAcceptedAndRepinned() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            Path state = dir.resolve("agent");
            relay.startAgent("dev-1", state, relay.tokenFile(relay.enrollmentToken(false, true, Map.of())));
            relay.awaitOnline("dev-1", true);
            Path relayState = dir.resolve("relay");
            String oldKey = TrustRotation.line(KeyFiles.load(relayState.resolve("relay_ed25519")).getPublic());
            assertThat(pinnedRelayKeys(state)).containsExactly(oldKey);

            int port = relay.stop();
            // The admin's rotation: keep the old key as ".previous"; the relay makes a new one and signs it with the old.
            Files.move(relayState.resolve("relay_ed25519"), relayState.resolve("relay_ed25519.previous"));
            relay.startAgain(port);
            relay.awaitOnline("dev-1", true);
            String newKey = TrustRotation.line(KeyFiles.load(relayState.resolve("relay_ed25519")).getPublic());
            assertThat(newKey).isNotEqualTo(oldKey);
            // The relay counts the device online when it sends its welcome; the agent re-pins on reading it.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> pinnedRelayKeys(state).equals(java.util.List.of(newKey)));
            assertTerminalWorks(relay, "dev-1"); // the relay logs in with its new key
        }
    }

    @Test
    void aRelayKeyReplacedWithoutASignatureByThePinnedKeyIsRefused() throws Exception {
        try (TestRelay relay = new TestRelay(dir)) {
            Path state = dir.resolve("agent");
            Agent agent = relay.startAgent("dev-1", state, relay.tokenFile(relay.enrollmentToken(false, true, Map.of())));
            relay.awaitOnline("dev-1", true);
            List<String> pinned = pinnedRelayKeys(state);
            int port = relay.stop();
            Files.delete(dir.resolve("relay").resolve("relay_ed25519")); // the old key is gone: nothing can vouch for the new one
            relay.startAgain(port);
            await().atMost(WAIT).until(() -> !relay.server().audit().recent(100, "device.relay_key.refused", "dev-1").isEmpty());
            assertThat(agent.isOnline()).isFalse();
            assertThat(pinnedRelayKeys(state)).isEqualTo(pinned);
        }
    }

    @Test
    void aHostileRelayFloodingOpensGetsAtMostTheAgentsCapOfStreams() throws Exception {
        Path state = dir.resolve("agent");
        int port;
        try (TestRelay relay = new TestRelay(dir.resolve("real"))) {
            Agent enrolled = relay.startAgent("dev-1", state, relay.tokenFile(relay.enrollmentToken(false, true, Map.of())));
            relay.awaitOnline("dev-1", true);
            enrolled.close();
            port = relay.stop();
        }
        // Its welcome repeats the pinned public keys (they are no secret), so the link is up; the opens flood in.
        Enrollment.Record pins = Json.MAPPER.readValue(state.resolve(Enrollment.RECORD_FILE).toFile(), Enrollment.Record.class);
        List<ControlMessage> script = new ArrayList<>();
        script.add(new ControlMessage.Welcome(Protocol.VERSION, 60_000, pins.relayKeys(), pins.userCaKeys(), DeviceFeatures.DEFAULTS));
        for (int i = 0; i < 50; i++) {
            script.add(new ControlMessage.OpenStream("s" + i, "t" + i));
        }
        try (LogCapture logs = new LogCapture(); FakeRelay hostile = new FakeRelay(port, hello -> script);
             Agent agent = new Agent(TestRelay.agentConfig("http://127.0.0.1:" + port, "dev-1", null, state, null, false)
                     .withMaxStreams(4)).start()) {
            await().atMost(WAIT).until(() -> hostile.fromAgent().stream()
                    .filter(m -> m instanceof ControlMessage.StreamFailed f && f.message().contains("stream limit")).count() >= 46);
            await().atMost(WAIT).until(() -> hostile.streamsOpened() == 4);
            assertThat(hostile.mostStreamsOpen()).isLessThanOrEqualTo(4);
            assertThat(agent.streamsInUse()).isEqualTo(4);
            assertThat(logs.lines().stream().filter(l -> l.contains("refusing stream requests"))).hasSize(1);
        }
    }

    private static long refusals(FakeRelay impostor) {
        return impostor.fromAgent().stream()
                .filter(m -> m instanceof ControlMessage.Error e && ErrorCode.RELAY_KEY_MISMATCH.code().equals(e.error()))
                .count();
    }

    private static List<String> pinnedRelayKeys(Path state) throws Exception {
        return Json.MAPPER.readValue(state.resolve(Enrollment.RECORD_FILE).toFile(), Enrollment.Record.class).relayKeys();
    }

    private static void assertTerminalWorks(TestRelay relay, String deviceId) throws Exception {
        try (TerminalClient term = relay.terminal(deviceId, relay.adminToken(), 80, 24)) {
            term.awaitControl("session", WAIT);
            term.type("echo pinned-$((20+22))\r");
            term.awaitOutput(TerminalClient.hasLine("pinned-42"), WAIT);
        }
    }

    /** Logs in to the agent's loopback SSH server with {@code key}, as whoever holds it would through a stream. */
    private static void login(Agent agent, KeyPair key) throws Exception {
        SshClient client = SshClient.setUpDefaultClient();
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.start();
        try (ClientSession session = client.connect("relay", "127.0.0.1", agent.sshPort()).verify(WAIT).getSession()) {
            session.addPublicKeyIdentity(key);
            session.auth().verify(WAIT);
        } finally {
            client.stop();
        }
    }
}
