package devicetunnel.protocol;

/** A failure with a place in the {@link ErrorCode} table; its message is safe to show to users. */
public class TunnelException extends RuntimeException {
    private final ErrorCode code;

    public TunnelException(ErrorCode code, String message) {
        super(message == null ? code.defaultMessage() : message);
        this.code = code;
    }

    public TunnelException(ErrorCode code, String message, Throwable cause) {
        super(message == null ? code.defaultMessage() : message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
