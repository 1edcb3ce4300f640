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
    private final ExternalIssuer external;
    private final JwtParser externalParser;

    /** The subject and expiry of a verified token. */
    public record Verified(String username, Instant expiresAt) {}

    public TokenService(byte[] secret, Duration lifetime, Clock clock, ExternalIssuer external) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("JWT secret must be at least 32 bytes");
        }
        this.key = Keys.hmacShaKeyFor(secret);
        this.lifetime = lifetime;
        this.clock = clock;
        this.ownParser = parser(ISSUER, AUDIENCE).verifyWith(key).build();
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
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        String token = Jwts.builder()
                .issuer(ISSUER)
                .audience().add(AUDIENCE).and()
                .subject(user.username())
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
            return new Verified(claims.getSubject(), claims.getExpiration().toInstant());
        } catch (ExpiredJwtException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "session expired; log in again");
        } catch (PrematureJwtException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "credential not valid yet");
        } catch (JwtException | IllegalArgumentException e) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, "invalid credential");
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
