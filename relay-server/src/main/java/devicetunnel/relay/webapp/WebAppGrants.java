package devicetunnel.relay.webapp;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Base32;
import devicetunnel.relay.auth.SecretTokens;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The web apps open on this relay, by id. In memory: a relay restart closes them (the operator opens
 * the app again from the console); in a cluster the app host must reach the relay that made the grant.
 */
public final class WebAppGrants implements AutoCloseable {
    /** How long the console's launch link works: it is used at once by the window the console opens. */
    static final Duration TICKET_LIFETIME = Duration.ofSeconds(60);
    /** The longest an app stays open without being opened again. */
    static final Duration MAX_LIFETIME = Duration.ofHours(8);
    /** Each grant may hold an SSH connection: bound what one operator keeps open. */
    static final int MAX_PER_OPERATOR = 16;

    private final SecureRandom random = new SecureRandom();
    private final ConcurrentMap<String, WebAppGrant> grants = new ConcurrentHashMap<>();
    private final Clock clock;

    public WebAppGrants(Clock clock) {
        this.clock = clock;
    }

    /** A new grant; {@code loginExpiresAt} (the operator's login) bounds its life, null for none. */
    WebAppGrant open(String operator, long tokenVersion, String deviceId, int port, String path, Instant loginExpiresAt) {
        Instant now = clock.instant();
        long mine = grants.values().stream().filter(g -> g.operator().equals(operator) && !g.expired(now)).count();
        if (mine >= MAX_PER_OPERATOR) {
            throw new TunnelException(ErrorCode.CONFLICT, "You have " + MAX_PER_OPERATOR
                    + " web apps open on this relay; wait for one to expire.");
        }
        Instant expires = now.plus(MAX_LIFETIME);
        if (loginExpiresAt != null && loginExpiresAt.isBefore(expires)) {
            expires = loginExpiresAt;
        }
        WebAppGrant grant = new WebAppGrant(newId(), operator, tokenVersion, deviceId, port, path, expires,
                SecretTokens.generate(), now.plus(TICKET_LIFETIME), SecretTokens.generate());
        grants.put(grant.id(), grant);
        return grant;
    }

    /** The live grant with this id. */
    Optional<WebAppGrant> find(String id) {
        WebAppGrant grant = grants.get(id);
        if (grant != null && grant.expired(clock.instant())) {
            remove(grant);
            return Optional.empty();
        }
        return Optional.ofNullable(grant);
    }

    void remove(WebAppGrant grant) {
        if (grants.remove(grant.id(), grant)) {
            grant.close();
        }
    }

    /** Closes expired grants and their connections (runs on the relay's sweep thread). */
    public void sweep() {
        Instant now = clock.instant();
        grants.values().stream().filter(g -> g.expired(now)).forEach(this::remove);
    }

    int size() {
        return grants.size();
    }

    Instant now() {
        return clock.instant();
    }

    /** 128 random bits as 26 lowercase base32 characters: one DNS label, so the id can be the app's host name. */
    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base32.encode(bytes).toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        grants.values().forEach(this::remove);
    }
}
