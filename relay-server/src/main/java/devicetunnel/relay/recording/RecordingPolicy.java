package devicetunnel.relay.recording;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.util.Locale;

/** Whether a device's browser terminal sessions are recorded; declared from the least strict to the strictest. */
public enum RecordingPolicy {
    /** Not recorded. */
    OFF,
    /** Recorded when the recording can be written; a failure is logged and audited, the session goes on. */
    ON,
    /** A session whose recording cannot be written is refused, and ends if writing fails mid-way. */
    REQUIRED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code off}, {@code on} or {@code required}; anything else is a 400 naming the choices. */
    public static RecordingPolicy parse(String text) {
        for (RecordingPolicy p : values()) {
            if (p.wire().equals(text)) {
                return p;
            }
        }
        throw new TunnelException(ErrorCode.BAD_REQUEST, "'recording' must be one of off, on, required.");
    }
}
