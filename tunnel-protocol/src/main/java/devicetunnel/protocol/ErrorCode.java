package devicetunnel.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The one table of errors and websocket closes that users and peers see. The web UI's copy,
 * {@code web-ui/src/generated/error-codes.ts}, is written from this enum ({@link ErrorCodeTable});
 * a test fails when the two differ.
 *
 * <p>Close codes, all in the websocket private range 4000-4999:
 * <ul>
 *   <li>4000 + HTTP status (4400-4599) for errors, so a client reads the status back from the close;</li>
 *   <li>4001-4099 for named closes that are not errors ({@link #LINK_REPLACED}, {@link #SESSION_MOVED}):
 *       no HTTP status lands there, so a client never mistakes them for a refusal.</li>
 * </ul>
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
    /** This device requires its sessions to be recorded and the recording cannot be written. */
    RECORDING_FAILED(503, "This device requires session recording, and the recording could not be written."),
    DEVICE_TIMEOUT(504, "The device did not answer in time."),
    INSUFFICIENT_STORAGE(507, "The relay's disk is full; nothing was saved."),
    /** The device needs a fresher second factor than this login's: verify it again, then retry. */
    STEP_UP_REQUIRED(403, "This device requires you to confirm your second factor again."),

    /** Relay -> agent: a newer control link for the same device took over; the agent reconnects as usual. */
    LINK_REPLACED(409, 4001, "Replaced by a newer link for this device."),
    /** Relay -> browser: the terminal session was resumed by another tab or window; this one must not reconnect. */
    SESSION_MOVED(409, 4002, "This session was opened in another tab or window.");

    /** Close codes below this are named closes, at and above it errors (4000 + HTTP status). */
    private static final int FIRST_ERROR_CLOSE = 4100;

    private final int httpStatus;
    private final int closeCode;
    private final String defaultMessage;

    ErrorCode(int httpStatus, String defaultMessage) {
        this(httpStatus, 4000 + httpStatus, defaultMessage);
    }

    /**
     * A named close: its own close code; the HTTP status is only what it would be if it were
     * ever answered over HTTP (409, another connection won).
     */
    ErrorCode(int httpStatus, int closeCode, String defaultMessage) {
        this.httpStatus = httpStatus;
        this.closeCode = closeCode;
        this.defaultMessage = defaultMessage;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Websocket close code (private range 4000-4999), see the class comment. */
    public int closeCode() {
        return closeCode;
    }

    /** True for the named closes (4001-4099) that end a connection without anything going wrong. */
    public boolean isNamedClose() {
        return closeCode < FIRST_ERROR_CLOSE;
    }

    /** Wire name, e.g. {@code device_unreachable}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    /** The named close with this close code; errors share close codes (three 408s), so they are not looked up. */
    public static Optional<ErrorCode> namedClose(int closeCode) {
        for (ErrorCode c : values()) {
            if (c.isNamedClose() && c.closeCode == closeCode) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Words for a close code in logs: {@code 4001 link_replaced}, {@code 4502 (HTTP 502)}, or the bare number. */
    public static String describeClose(int closeCode) {
        Optional<ErrorCode> named = namedClose(closeCode);
        if (named.isPresent()) {
            return closeCode + " " + named.get().code();
        }
        return closeCode >= FIRST_ERROR_CLOSE && closeCode < 5000
                ? closeCode + " (HTTP " + (closeCode - 4000) + ")"
                : Integer.toString(closeCode);
    }
}
