package devicetunnel.relay.auth;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.User;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import javax.crypto.SecretKey;

/** Issues and checks operator session tokens: HS256 JWTs with issuer, audience and a short lifetime. */
public final class TokenService {
    public static final String ISSUER = "device-tunnel-relay";
    public static final String AUDIENCE = "device-tunnel";

    private final SecretKey key;
    private final Duration lifetime;
    private final Clock clock;

    public TokenService(byte[] secret, Duration lifetime, Clock clock) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("JWT secret must be at least 32 bytes");
        }
        this.key = Keys.hmacShaKeyFor(secret);
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public record Issued(String token, Instant expiresAt) {}

    public Issued issue(User user) {
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        String token = Jwts.builder()
                .issuer(ISSUER)
                .audience().add(AUDIENCE).and()
                .subject(user.username())
                .claim("role", user.role().name().toLowerCase(java.util.Locale.ROOT))
                .id(UUID.randomUUID().toString())
                .issuedAt(Date.from(now))
                .notBefore(Date.from(now))
                .expiration(Date.from(expires))
                .signWith(key, Jwts.SIG.HS256)
                .compact();
        return new Issued(token, expires);
    }

    /** Verifies signature, issuer, audience and lifetime; any failure is a 401. */
    public Operator verify(String token) {
        if (token == null || token.isBlank() || token.length() > 8192) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "missing or malformed credential");
        }
        try {
            Claims claims = Jwts.parser()
                    .verifyWith(key)
                    .requireIssuer(ISSUER)
                    .requireAudience(AUDIENCE)
                    .clock(() -> Date.from(clock.instant()))
                    .clockSkewSeconds(30)
                    .build()
                    .parseSignedClaims(token)
                    .getPayload();
            User.Role role = User.Role.valueOf(String.valueOf(claims.get("role")).toUpperCase(java.util.Locale.ROOT));
            return new Operator(claims.getSubject(), role, claims.getExpiration().toInstant());
        } catch (ExpiredJwtException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "session expired; log in again");
        } catch (JwtException | IllegalArgumentException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
        }
    }
}
