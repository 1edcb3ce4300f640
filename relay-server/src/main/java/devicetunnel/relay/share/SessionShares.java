package devicetunnel.relay.share;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.ssh.Watcher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The shares of the terminal sessions this relay holds, and who they admit. In memory, like the
 * sessions themselves: a share ends with its session (or its relay). Shares of sessions that
 * ended are dropped whenever shares are listed.
 */
public final class SessionShares {
    public static final int MAX_SHARES_PER_SESSION = 20;
    public static final Duration MAX_LINK_LIFETIME = Duration.ofHours(24);

    private final Clock clock;
    private final Predicate<String> sessionLive;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Share> shares = new ConcurrentHashMap<>();

    /** @param sessionLive whether a session id still names a live session on this relay */
    public SessionShares(Clock clock, Predicate<String> sessionLive) {
        this.clock = clock;
        this.sessionLive = sessionLive;
    }

    /** A new link and its token (shown once). */
    public record Link(Share share, String token) {}

    public Link createLink(String sessionId, String deviceId, String owner, Watcher.Mode mode, Duration validFor) {
        if (validFor.isNegative() || validFor.isZero() || validFor.compareTo(MAX_LINK_LIFETIME) > 0) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "A link is valid for 1 to " + MAX_LINK_LIFETIME.toMinutes() + " minutes.");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Share share = new Share(UUID.randomUUID().toString(), sessionId, deviceId, owner, mode, null, sha256(token),
                clock.instant().plus(validFor));
        add(share);
        return new Link(share, token);
    }

    /** @param validFor null: as long as the session lasts */
    public Share createForUser(String sessionId, String deviceId, String owner, Watcher.Mode mode, String user, Duration validFor) {
        if (user.equals(owner)) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "The session is yours already.");
        }
        Share share = new Share(UUID.randomUUID().toString(), sessionId, deviceId, owner, mode, user, null,
                validFor == null ? null : clock.instant().plus(validFor));
        add(share);
        return share;
    }

    private synchronized void add(Share share) {
        if (of(share.sessionId()).size() >= MAX_SHARES_PER_SESSION) {
            throw new TunnelException(ErrorCode.CONFLICT, "A session has at most " + MAX_SHARES_PER_SESSION + " shares; revoke one first.");
        }
        shares.put(share.id(), share);
    }

    /**
     * The share that lets {@code who} watch {@code sessionId}: the link whose token is {@code token},
     * or (no token) a share for {@code who} by name, whose label scope must still cover the device
     * ({@code mayView}). An expired link is a 403 that says so; anything else not found is a 404.
     */
    public Share admit(Operator who, String sessionId, String token, BiPredicate<Operator, String> mayView) {
        if (token != null) {
            byte[] hash = sha256(token);
            Share link = shares.values().stream()
                    .filter(s -> s.isLink() && s.sessionId().equals(sessionId) && MessageDigest.isEqual(s.tokenHash(), hash))
                    .findFirst()
                    .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such share link (it may have been revoked, or the session ended)."));
            if (link.expired(clock.instant())) {
                throw new TunnelException(ErrorCode.FORBIDDEN, "The share link has expired; ask the session's owner for a new one.");
            }
            return link;
        }
        return shares.values().stream()
                .filter(s -> !s.isLink() && s.sessionId().equals(sessionId) && s.user().equals(who.username())
                        && !s.expired(clock.instant()))
                .filter(s -> mayView.test(who, s.deviceId()))
                .findFirst()
                .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "This session is not shared with you."));
    }

    /** The session's shares, expired links included (they still show until revoked or the session ends). */
    public List<Share> of(String sessionId) {
        prune();
        return shares.values().stream().filter(s -> s.sessionId().equals(sessionId)).toList();
    }

    /** Live shares for {@code username} by name. */
    public List<Share> forUser(String username) {
        prune();
        return shares.values().stream()
                .filter(s -> !s.isLink() && s.user().equals(username) && !s.expired(clock.instant()))
                .toList();
    }

    public Optional<Share> find(String sessionId, String shareId) {
        return Optional.ofNullable(shares.get(shareId)).filter(s -> s.sessionId().equals(sessionId));
    }

    /** Revokes a share: it admits nobody from now on. */
    public Optional<Share> revoke(String sessionId, String shareId) {
        Optional<Share> found = find(sessionId, shareId);
        found.ifPresent(s -> shares.remove(s.id()));
        return found;
    }

    private void prune() {
        shares.values().removeIf(s -> !sessionLive.test(s.sessionId()));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
