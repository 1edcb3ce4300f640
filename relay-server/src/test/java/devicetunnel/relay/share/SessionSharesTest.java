package devicetunnel.relay.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.ssh.Watcher;
import devicetunnel.relay.store.User;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SessionSharesTest {
    private static final Operator BOB = new Operator("bob", User.Role.OPERATOR, Instant.MAX, 0);
    private static final Operator CAROL = new Operator("carol", User.Role.VIEWER, Instant.MAX, 0);
    private static final BiPredicate<Operator, String> EVERYONE_SEES = (who, device) -> true;

    private Instant now = Instant.parse("2026-01-01T10:00:00Z");
    private final Set<String> live = new HashSet<>(Set.of("s1", "s2"));
    private final SessionShares shares = new SessionShares(new Clock() {
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }, live::contains);

    @Test
    void aLinkAdmitsWhoeverHoldsItsTokenUntilItExpiresAndSaysSoAfter() {
        SessionShares.Link link = shares.createLink("s1", "dev", "alice", Watcher.Mode.WATCH, Duration.ofMinutes(5));
        assertThat(shares.admit(CAROL, "s1", link.token(), EVERYONE_SEES)).isEqualTo(link.share());
        now = now.plus(Duration.ofMinutes(5));
        assertThatThrownBy(() -> shares.admit(CAROL, "s1", link.token(), EVERYONE_SEES))
                .isInstanceOf(TunnelException.class).hasMessageContaining("expired")
                .extracting(e -> ((TunnelException) e).code()).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void aTokenOpensOnlyItsOwnSessionAndAWrongTokenNothing() {
        SessionShares.Link link = shares.createLink("s1", "dev", "alice", Watcher.Mode.WATCH, Duration.ofMinutes(5));
        assertThat(code(() -> shares.admit(BOB, "s2", link.token(), EVERYONE_SEES))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(code(() -> shares.admit(BOB, "s1", link.token() + "x", EVERYONE_SEES))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(link.share().tokenHash()).as("only a hash is kept").isNotEqualTo(link.token().getBytes());
    }

    @Test
    void aShareByUserAdmitsThatUserOnlyAndOnlyWhileTheDeviceIsInTheirScope() {
        Share share = shares.createForUser("s1", "dev", "alice", Watcher.Mode.JOIN, "bob", null);
        assertThat(shares.admit(BOB, "s1", null, EVERYONE_SEES)).isEqualTo(share);
        assertThat(code(() -> shares.admit(CAROL, "s1", null, EVERYONE_SEES))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(code(() -> shares.admit(BOB, "s1", null, (who, device) -> false)))
                .as("bob's labels no longer cover the device").isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(shares.forUser("bob")).containsExactly(share);
        assertThat(shares.forUser("carol")).isEmpty();
    }

    @Test
    void aRevokedShareAdmitsNobody() {
        SessionShares.Link link = shares.createLink("s1", "dev", "alice", Watcher.Mode.JOIN, Duration.ofMinutes(5));
        Share byName = shares.createForUser("s1", "dev", "alice", Watcher.Mode.WATCH, "bob", Duration.ofMinutes(5));
        assertThat(shares.revoke("s2", link.share().id())).as("only through its own session").isEmpty();
        assertThat(shares.revoke("s1", link.share().id())).contains(link.share());
        assertThat(shares.revoke("s1", byName.id())).contains(byName);
        assertThat(code(() -> shares.admit(BOB, "s1", link.token(), EVERYONE_SEES))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(code(() -> shares.admit(BOB, "s1", null, EVERYONE_SEES))).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void sharesEndWithTheirSession() {
        shares.createForUser("s1", "dev", "alice", Watcher.Mode.WATCH, "bob", null);
        live.remove("s1");
        assertThat(shares.forUser("bob")).isEmpty();
        assertThat(shares.of("s1")).isEmpty();
    }

    @Test
    void limitsAreEnforced() {
        assertThat(code(() -> shares.createLink("s1", "dev", "alice", Watcher.Mode.WATCH, Duration.ZERO))).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(code(() -> shares.createLink("s1", "dev", "alice", Watcher.Mode.WATCH, Duration.ofHours(25)))).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(code(() -> shares.createForUser("s1", "dev", "alice", Watcher.Mode.WATCH, "alice", null)))
                .as("the owner has it already").isEqualTo(ErrorCode.BAD_REQUEST);
        for (int i = 0; i < SessionShares.MAX_SHARES_PER_SESSION; i++) {
            shares.createLink("s1", "dev", "alice", Watcher.Mode.WATCH, Duration.ofMinutes(1));
        }
        assertThat(code(() -> shares.createLink("s1", "dev", "alice", Watcher.Mode.WATCH, Duration.ofMinutes(1)))).isEqualTo(ErrorCode.CONFLICT);
        assertThat(shares.createLink("s2", "dev", "alice", Watcher.Mode.WATCH, Duration.ofMinutes(1))).isNotNull();
    }

    private static ErrorCode code(Runnable call) {
        try {
            call.run();
        } catch (TunnelException e) {
            return e.code();
        }
        throw new AssertionError("no refusal");
    }
}
