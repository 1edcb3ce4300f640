package devicetunnel.relay.policy;

import devicetunnel.protocol.ErrorCode;
import java.util.function.Predicate;

/** The open native SSH streams, as far as revocation needs them: close those that lost their right. */
public interface NativeStreams {
    /** Who holds a stream: the operator, the device, and the token version the stream was opened with. */
    record Holder(String operator, String deviceId, long tokenVersion) {}

    /** Closes every stream whose holder matches, with the code's close code and reason. */
    void closeMatching(Predicate<Holder> holder, ErrorCode code, String reason);
}
