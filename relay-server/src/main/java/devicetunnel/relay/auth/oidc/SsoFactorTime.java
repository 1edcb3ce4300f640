package devicetunnel.relay.auth.oidc;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.time.Duration;
import java.time.Instant;

/**
 * When the factor behind a single sign-on was checked: the relay token's {@code mfa_at}, which step-up
 * compares with {@code --step-up-max-age}. The provider is trusted for the second factor, so its own
 * authentication is the time: {@code auth_time} when the ID token carries it (a sign-in that reused the
 * provider's session is only as recent as that session's login), else the sign-in itself. A step-up
 * sign-in (sent with {@code prompt=login} and {@code max_age=0}) must bring an {@code auth_time} from
 * after it started: a provider that silently reused its session renews nothing.
 */
public final class SsoFactorTime {
    /** Clock difference tolerated between the provider and the relay. */
    static final Duration SKEW = Duration.ofSeconds(60);

    private SsoFactorTime() {}

    /** The factor time for this sign-in; a 401 for a step-up the provider did not authenticate afresh. */
    public static Instant of(OidcProvider.Identity identity, PendingLogin pending, Instant now) {
        Instant authTime = identity.authTime();
        if (pending.freshSignIn()
                && (authTime == null || authTime.isBefore(Instant.ofEpochMilli(pending.startedAtMillis()).minus(SKEW)))) {
            throw new TunnelException(ErrorCode.UNAUTHORIZED, authTime == null
                    ? "The identity provider did not say when you signed in (auth_time), so it cannot confirm a fresh sign-in."
                    : "The identity provider did not ask you to sign in again; your sign-in there is older than this request.");
        }
        return authTime == null || authTime.isAfter(now) ? now : authTime;
    }
}
