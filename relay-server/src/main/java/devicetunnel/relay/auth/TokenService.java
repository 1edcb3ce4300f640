package devicetunnel.relay.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.User;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.PrematureJwtException;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import javax.crypto.SecretKey;

/**
 * Issues and checks operator tokens. The relay issues short-lived HS256 JWTs itself; optionally it
 * also accepts tokens of one external issuer (shared HS secret, or RS/ES public key) with that
 * issuer's {@code iss} and {@code aud}. The unverified {@code iss} only picks which key and rules to
 * verify with, so a token can never choose a weaker check than its issuer's.
 */
public final class TokenService {
    public static final String ISSUER = "device-tunnel-relay";
    public static final String AUDIENCE = "device-tunnel";
    private static final int MAX_TOKEN_CHARS = 8192;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretKey key;
    private final Duration lifetime;
    private final Clock clock;
    private final JwtParser ownParser;
    private final JwtParser mfaPendingParser;
    private final ExternalIssuer external;
    private final JwtParser externalParser;

    /** Claim holding the user's token version at issue; logout and password changes raise the version. */
    public static final String VERSION_CLAIM = "ver";
    /** The version of tokens the relay cannot revoke by version (an external issuer's). */
    public static final long UNVERSIONED = -1;

    /** Claim set on tokens issued after a second factor was checked. */
    public static final String MFA_CLAIM = "mfa";
    /** Audience of the short-lived token between the password step and the second-factor step. */
    public static final String MFA_PENDING_AUDIENCE = "device-tunnel-mfa-pending";
    public static final Duration MFA_PENDING_LIFETIME = Duration.ofMinutes(5);

    /**
     * The subject, expiry and token version ({@link #UNVERSIONED} for external tokens) of a verified
     * token; {@code mfa}: a second factor was checked before it was issued.
     */
    public record Verified(String username, Instant expiresAt, long version, boolean mfa, Instant factorAt) {
        public Verified(String username, Instant expiresAt, long version) {
            this(username, expiresAt, version, false, null);
        }

        public Verified(String username, Instant expiresAt, long version, boolean mfa) {
            this(username, expiresAt, version, mfa, null);
        }
    }

    /** Claim: when (epoch seconds) the second factor behind this token was checked, for step-up. */
    public static final String FACTOR_AT_CLAIM = "mfa_at";

    public TokenService(byte[] secret, Duration lifetime, Clock clock, ExternalIssuer external) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("JWT secret must be at least 32 bytes");
        }
        if (external != null && external.secret() != null
                && java.security.MessageDigest.isEqual(external.secret().getEncoded(), secret)) {
            // With one secret, whoever holds the IdP's key could mint relay tokens (any version, any
            // lifetime) and the other way round: the two trust domains must not share it.
            throw new IllegalArgumentException("the external issuer's HMAC secret must differ from the relay's own");
        }
        this.key = Keys.hmacShaKeyFor(secret);
        this.lifetime = lifetime;
        this.clock = clock;
        this.ownParser = parser(ISSUER, AUDIENCE).verifyWith(key).build();
        this.mfaPendingParser = parser(ISSUER, MFA_PENDING_AUDIENCE).verifyWith(key).build();
        this.external = external;
        this.externalParser = external == null ? null : external.configure(parser(external.issuer(), external.audience())).build();
    }

    private io.jsonwebtoken.JwtParserBuilder parser(String issuer, String audience) {
        return Jwts.parser()
                .requireIssuer(issuer)
                .requireAudience(audience)
                .clock(() -> Date.from(clock.instant()))
                .clockSkewSeconds(30);
    }

    public record Issued(String token, Instant expiresAt) {}

    public Issued issue(User user) {
        return issue(user, false);
    }

    /** {@code mfa}: the user passed a second factor for this login (just now). */
    public Issued issue(User user, boolean mfa) {
        return issue(user, AUDIENCE, lifetime, mfa ? clock.instant() : null);
    }

    /** A login whose second factor was checked at {@code factorAt} (a single sign-on: at the provider). */
    public Issued issue(User user, Instant factorAt) {
        return issue(user, AUDIENCE, lifetime, factorAt);
    }

    /**
     * The token between the password and the second factor: another audience, so no route accepts it
     * as a login; it only lets {@code POST /api/v1/auth/mfa} know whose code to check.
     */
    public Issued issueMfaPending(User user) {
        return issue(user, MFA_PENDING_AUDIENCE, MFA_PENDING_LIFETIME, null);
    }

    /** The user a pending-MFA token names, with its version (a logout meanwhile ends it); 401 otherwise. */
    public Verified verifyMfaPending(String token) {
        if (token == null || token.isBlank() || token.length() > MAX_TOKEN_CHARS) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "missing or malformed credential");
        }
        try {
            Claims claims = mfaPendingParser.parseSignedClaims(token).getPayload();
            if (!(claims.get(VERSION_CLAIM) instanceof Number n) || claims.getSubject() == null) {
                throw new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
            }
            return new Verified(claims.getSubject(), claims.getExpiration().toInstant(), n.longValue(), false);
        } catch (ExpiredJwtException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "The sign-in took too long; enter your password again.");
        } catch (JwtException | IllegalArgumentException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
        }
    }

    /** {@code factorAt}: null when no second factor was checked. */
    private Issued issue(User user, String audience, Duration lifetime, Instant factorAt) {
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        io.jsonwebtoken.JwtBuilder builder = Jwts.builder();
        if (factorAt != null) {
            builder.claim(MFA_CLAIM, true).claim(FACTOR_AT_CLAIM, factorAt.getEpochSecond());
        }
        String token = builder
                .issuer(ISSUER)
                .audience().add(audience).and()
                .subject(user.username())
                .claim(VERSION_CLAIM, user.tokenVersion())
                .id(UUID.randomUUID().toString())
                .issuedAt(Date.from(now))
                .notBefore(Date.from(now))
                .expiration(Date.from(expires))
                .signWith(key, Jwts.SIG.HS256)
                .compact();
        return new Issued(token, expires);
    }

    /** Verifies signature, issuer, audience and lifetime; any failure is a 401 that says no more than needed. */
    public Verified verify(String token) {
        if (token == null || token.isBlank() || token.length() > MAX_TOKEN_CHARS) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "missing or malformed credential");
        }
        String issuer = peekIssuer(token);
        JwtParser parser = ISSUER.equals(issuer) ? ownParser
                : external != null && external.issuer().equals(issuer) ? externalParser : null;
        if (parser == null) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
        }
        try {
            Claims claims = parser.parseSignedClaims(token).getPayload();
            if (claims.getExpiration() == null || claims.getSubject() == null || claims.getSubject().isBlank()) {
                throw new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
            }
            if (parser == ownParser) {
                Object version = claims.get(VERSION_CLAIM);
                if (!(version instanceof Number n)) {
                    throw new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
                }
                return new Verified(claims.getSubject(), claims.getExpiration().toInstant(), n.longValue(),
                        Boolean.TRUE.equals(claims.get(MFA_CLAIM)),
                        claims.get(FACTOR_AT_CLAIM) instanceof Number at ? Instant.ofEpochSecond(at.longValue()) : null);
            }
            checkExternalLifetime(claims);
            return new Verified(claims.getSubject(), claims.getExpiration().toInstant(), UNVERSIONED);
        } catch (ExpiredJwtException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "session expired; log in again");
        } catch (PrematureJwtException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "credential not valid yet");
        } catch (JwtException | IllegalArgumentException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
        }
    }

    /** An external token must say when it was issued and live no longer than the cap, from then and from now. */
    private void checkExternalLifetime(Claims claims) {
        Instant expires = claims.getExpiration().toInstant();
        if (claims.getIssuedAt() == null) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
        }
        Duration cap = external.maxLifetime();
        if (Duration.between(claims.getIssuedAt().toInstant(), expires).compareTo(cap) > 0
                || Duration.between(clock.instant(), expires).compareTo(cap) > 0) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "credential lives too long");
        }
    }

    /** Reads {@code iss} from the (not yet verified) payload; null when there is none. */
    private static String peekIssuer(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode payload = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            JsonNode iss = payload == null ? null : payload.get("iss");
            return iss != null && iss.isTextual() ? iss.asText() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
