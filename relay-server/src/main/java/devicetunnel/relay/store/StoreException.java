package devicetunnel.relay.store;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;

/**
 * The store failed. The message is written for people (what is wrong, what to run); the driver's
 * own text stays in the cause, for the log.
 */
public final class StoreException extends TunnelException {
    StoreException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
