package devicetunnel.relay.auth;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.ApiTokenStore;
import devicetunnel.relay.store.User;
import devicetunnel.relay.store.UserStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API tokens for automation: {@code dtk_<id>_<secret>}, 256 random bits of secret. The id finds the
 * row in one lookup; only a keyed hash of the secret is stored. Every use re-reads the row and the
 * owner, so a revoked or expired token, or one whose owner was removed, is refused at once, and
 * the token acts with the lesser of its scopes and the owner's current role.
 */
public final class ApiTokens {
    public static final String PREFIX = "dtk_";
    public static final Duration MAX_LIFETIME = Duration.ofDays(366);
    public static final Duration MIN_LIFETIME = Duration.ofMinutes(1);
    /** Last-use writes per token at most this often: a busy script must not turn every call into a write. */
    public static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    /** A new token: {@code token} is shown once and kept nowhere. */
    public record Created(String id, String token, Instant expiresAt) {}

    /** A token that verified: what it may do now. */
    public record Grant(ApiTokenStore.Row row, User owner, User.Role role, Set<Scope> scopes) {}

    private final ApiTokenStore store;
    private final UserStore users;
    private final KeyedHash hash;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> lastTouched = new ConcurrentHashMap<>();

    /** {@code hashKey}: the key of the stored secrets' HMAC (derived from the relay's token secret). */
    public ApiTokens(ApiTokenStore store, UserStore users, byte[] hashKey, Clock clock) {
        this.store = store;
        this.users = users;
        this.hash = new KeyedHash(hashKey);
        this.clock = clock;
    }

    public static boolean looksLike(String credential) {
        return credential != null && credential.startsWith(PREFIX);
    }

    public Created create(User owner, String name, Set<Scope> scopes, Duration lifetime) {
        if (scopes.isEmpty()) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "Give the token at least one scope.");
        }
        if (lifetime.compareTo(MIN_LIFETIME) < 0 || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "expiresInSeconds must be between "
                    + MIN_LIFETIME.toSeconds() + " and " + MAX_LIFETIME.toSeconds() + ".");
        }
        String id = HexFormat.of().formatHex(randomBytes(8));
        String secret = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        store.add(new ApiTokenStore.Row(id, owner.username(), name, scopes.stream().map(Scope::wire).sorted().toList(),
                hash.hex(secret), now, expires, null));
        return new Created(id, PREFIX + id + "_" + secret, expires);
    }

    /** Checks a presented token; any failure is the same 401, so nothing is learnt about which ids exist. */
    public Grant verify(String token) {
        String rest = token.substring(PREFIX.length());
        int sep = rest.indexOf('_');
        if (sep <= 0 || sep > 32 || rest.length() - sep > 64) {
            throw refused();
        }
        String id = rest.substring(0, sep);
        ApiTokenStore.Row row = store.find(id).orElse(null);
        if (row == null || !hash.matches(rest.substring(sep + 1), row.secretHash())) {
            throw refused();
        }
        if (!clock.instant().isBefore(row.expiresAt())) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "This API token expired.");
        }
        User owner = users.find(row.username()).orElseThrow(ApiTokens::refused);
        Set<Scope> scopes = Scope.parseAll(row.scopes());
        touch(row);
        return new Grant(row, owner, Scope.effectiveRole(scopes, owner.role()), scopes);
    }

    /** Whether sessions opened with token {@code id} may go on: it still exists and has not expired. */
    public boolean stillValid(String id) {
        return store.find(id).map(r -> clock.instant().isBefore(r.expiresAt())).orElse(false);
    }

    public List<ApiTokenStore.Row> list(String usernameOrNullForAll) {
        return store.list(usernameOrNullForAll);
    }

    public Optional<ApiTokenStore.Row> find(String id) {
        return store.find(id);
    }

    public boolean revoke(String id) {
        lastTouched.remove(id);
        return store.remove(id);
    }

    private void touch(ApiTokenStore.Row row) {
        Instant now = clock.instant();
        Instant before = lastTouched.get(row.id());
        if (before != null && before.plus(TOUCH_INTERVAL).isAfter(now)) {
            return;
        }
        if (row.lastUsedAt() != null && row.lastUsedAt().plus(TOUCH_INTERVAL).isAfter(now)) {
            lastTouched.put(row.id(), row.lastUsedAt()); // another relay wrote it recently
            return;
        }
        lastTouched.put(row.id(), now);
        store.touch(row.id(), now);
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static TunnelException refused() {
        return new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
    }
}
