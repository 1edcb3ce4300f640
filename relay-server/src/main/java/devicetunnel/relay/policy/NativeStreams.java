package devicetunnel.relay.policy;

import devicetunnel.protocol.ErrorCode;
import java.util.function.Predicate;

/** The open native SSH streams, as far as revocation needs them: close those that lost their right. */
public interface NativeStreams {
    /**
     * Who holds a stream: the operator, the device, the token version the stream was opened with,
     * and the API token it was opened with (null for a login).
     */
    record Holder(String operator, String deviceId, long tokenVersion, String apiTokenId) {}

    /** Closes every stream whose holder matches, with the code's close code and reason. */
    void closeMatching(Predicate<Holder> holder, ErrorCode code, String reason);
}
