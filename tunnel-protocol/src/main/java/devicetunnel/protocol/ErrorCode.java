package devicetunnel.protocol;

/**
 * The one table of errors users and peers see. Each code maps to an HTTP status, a websocket close
 * code (4000 + HTTP status, so a client can read the status back from the close frame) and a
 * default message for people.
 */
public enum ErrorCode {
    BAD_REQUEST(400, "The request is malformed."),
    UNAUTHORIZED(401, "Authentication required or credentials invalid."),
    FORBIDDEN(403, "You are not allowed to do this."),
    NOT_FOUND(404, "No such resource."),
    AUTH_TIMEOUT(408, "Authentication took too long."),
    IDLE_TIMEOUT(408, "The session was idle too long."),
    CONFLICT(409, "Too many sessions are open."),
    SESSION_EXPIRED(408, "The session ended: it was idle or open for too long."),
    PAYLOAD_TOO_LARGE(413, "The message is too large."),
    TOO_MANY_REQUESTS(429, "Too many requests; slow down."),
    INTERNAL(500, "Internal error."),
    DEVICE_UNREACHABLE(502, "The device is offline or unreachable."),
    HOST_KEY_MISMATCH(502, "The device's host key does not match the one on record."),
    /** Agent -> relay: the welcome named keys the device did not pin at enrollment (see TrustRotation). */
    RELAY_KEY_MISMATCH(403, "The device refused the relay's keys: they differ from the ones pinned at enrollment."),
    SERVICE_UNAVAILABLE(503, "The relay is shutting down or not ready."),
    STORE_UNAVAILABLE(503, "The relay's store is unavailable; try again."),
    DEVICE_TIMEOUT(504, "The device did not answer in time."),
    INSUFFICIENT_STORAGE(507, "The relay's disk is full; nothing was saved.");

    private final int httpStatus;
    private final String defaultMessage;

    ErrorCode(int httpStatus, String defaultMessage) {
        this.httpStatus = httpStatus;
        this.defaultMessage = defaultMessage;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Websocket close code: the private range 4000-4999 carries the HTTP status. */
    public int closeCode() {
        return 4000 + httpStatus;
    }

    /** Wire name, e.g. {@code device_unreachable}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public String defaultMessage() {
        return defaultMessage;
    }
}
