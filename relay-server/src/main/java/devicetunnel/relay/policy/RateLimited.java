package devicetunnel.relay.policy;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;

/** A 429 that also says when to come back ({@code Retry-After}). */
public final class RateLimited extends TunnelException {
    private final long retryAfterSeconds;

    public RateLimited(long retryAfterSeconds) {
        this(retryAfterSeconds, "Too many attempts from your address; retry in " + retryAfterSeconds + " s.");
    }

    public RateLimited(long retryAfterSeconds, String message) {
        super(ErrorCode.TOO_MANY_REQUESTS, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
