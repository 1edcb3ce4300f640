package devicetunnel.relay.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.agent.link.DeviceCredential;
import devicetunnel.protocol.JdkKeys;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.Protocol;
import devicetunnel.protocol.TunnelException;
import io.jsonwebtoken.Jwts;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Device proofs signed by the agent's MINA (BouncyCastle) host key verify on the relay; bad ones do not. */
@Timeout(30)
class DeviceProofsTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final KeyPair hostKey = KeyFiles.generate();
    private final String pinned = PublicKeyEntry.toString(hostKey.getPublic());
    private final DeviceCredential device = new DeviceCredential("dev-1", hostKey, CLOCK);
    private final DeviceProofs proofs = new DeviceProofs(CLOCK);

    @Test
    void acceptsAFreshProofOnceAndRefusesItsReplay() {
        String proof = device.proof();
        assertThatCode(() -> proofs.verify("dev-1", proof, pinned)).doesNotThrowAnyException();
        assertRefused("dev-1", proof, "replayed");
        assertThatCode(() -> proofs.verify("dev-1", device.proof(), pinned)).doesNotThrowAnyException();
    }

    @Test
    void refusesExpiredFutureAndLongLivedProofs() {
        assertRefused("dev-1", device.proof(NOW.minus(Duration.ofMinutes(5)), Duration.ofSeconds(60), "a"), "expired");
        assertRefused("dev-1", device.proof(NOW.plus(Duration.ofMinutes(5)), Duration.ofSeconds(60), "b"), "not valid yet");
        assertRefused("dev-1", device.proof(NOW, Duration.ofHours(1), "c"), "longer than");
    }

    @Test
    void refusesProofsForAnotherDeviceOrAudienceOrKey() {
        assertRefused("dev-2", device.proof(), "does not verify");
        KeyPair other = KeyFiles.generate();
        assertRefused("dev-1", new DeviceCredential("dev-1", other, CLOCK).proof(), "does not verify");
        String wrongAudience = Jwts.builder().subject("dev-1").audience().add("some-other-relay").and()
                .issuedAt(Date.from(NOW)).expiration(Date.from(NOW.plusSeconds(30))).id("x")
                .signWith(JdkKeys.ed25519(hostKey.getPrivate()), Jwts.SIG.EdDSA).compact();
        assertRefused("dev-1", wrongAudience, "does not verify");
    }

    @Test
    void refusesUnsignedIncompleteAndGarbageProofs() {
        String none = Jwts.builder().subject("dev-1").audience().add(Protocol.PROOF_AUDIENCE).and()
                .issuedAt(Date.from(NOW)).expiration(Date.from(NOW.plusSeconds(30))).id("n").compact();
        assertRefused("dev-1", none, "does not verify");
        String noJti = Jwts.builder().subject("dev-1").audience().add(Protocol.PROOF_AUDIENCE).and()
                .issuedAt(Date.from(NOW)).expiration(Date.from(NOW.plusSeconds(30)))
                .signWith(JdkKeys.ed25519(hostKey.getPrivate()), Jwts.SIG.EdDSA).compact();
        assertRefused("dev-1", noJti, "lacks");
        assertRefused("dev-1", "garbage", "does not verify");
        assertRefused("dev-1", null, "missing");
        assertRefused("dev-1", "x".repeat(5000), "oversized");
    }

    private void assertRefused(String deviceId, String proof, String reason) {
        assertThatThrownBy(() -> proofs.verify(deviceId, proof, pinned))
                .isInstanceOf(TunnelException.class).hasMessageContaining(reason);
    }
}
