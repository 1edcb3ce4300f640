package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import java.util.function.BiPredicate;

/** The open native SSH streams, as far as revocation needs them: close those that lost their right. */
public interface NativeStreams {
    /** Closes every stream whose (operator, device) matches, with the code's close code and reason. */
    void closeMatching(BiPredicate<String, String> operatorAndDevice, ErrorCode code, String reason);
}
