package devicetunnel.relay.auth;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.ChallengeStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The server side of a WebAuthn ceremony's state: a random 32-byte challenge per ceremony, kept in
 * the store (so any relay can finish it), bound to a purpose and an account, answered at most once
 * and only before it expires.
 */
public final class Ceremonies {
    public enum Purpose { REGISTER, LOGIN, SECOND_FACTOR, STEP_UP }

    /** How long the browser (and the person touching the key) has to answer. */
    public static final Duration LIFETIME = Duration.ofMinutes(3);

    /** {@code challenge}: the raw bytes the authenticator signs over (base64url in the options). */
    public record Begun(String id, byte[] challenge) {
        public String challengeText() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(challenge);
        }
    }

    private final ChallengeStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Ceremonies(ChallengeStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** {@code username}: whose ceremony; null for a passwordless login (the credential names the user). */
    public Begun begin(Purpose purpose, String username) {
        byte[] id = new byte[16];
        byte[] challenge = new byte[32];
        random.nextBytes(id);
        random.nextBytes(challenge);
        Begun begun = new Begun(HexFormat.of().formatHex(id), challenge);
        store.put(new ChallengeStore.Challenge(begun.id(), purpose.name(), username, begun.challengeText(),
                clock.instant().plus(LIFETIME)), clock.instant());
        return begun;
    }

    /**
     * Takes the ceremony's challenge (it is gone afterwards, whatever the outcome): 401 when it is
     * unknown, used, expired, or was begun for another purpose or account.
     */
    public byte[] finish(String id, Purpose purpose, String username) {
        ChallengeStore.Challenge c = id == null || id.length() > 64 ? null : store.take(id, clock.instant()).orElse(null);
        if (c == null || !c.purpose().equals(purpose.name()) || !Objects.equals(c.username(), username)) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The passkey request expired or was already answered; try again.");
        }
        return Base64.getUrlDecoder().decode(c.challenge());
    }
}
