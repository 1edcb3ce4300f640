package devicetunnel.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Small JSON messages on the control link between relay and agent. The {@code type} field selects
 * the record. Unknown fields are ignored so either side may add fields without breaking the other;
 * an unknown {@code type} decodes to {@link Unknown}, which both sides ignore, so either may add
 * message types (still: send a new type only to a peer that said it knows it).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ControlMessage.Hello.class, name = "hello"),
    @JsonSubTypes.Type(value = ControlMessage.Welcome.class, name = "welcome"),
    @JsonSubTypes.Type(value = ControlMessage.OpenStream.class, name = "open"),
    @JsonSubTypes.Type(value = ControlMessage.StreamFailed.class, name = "stream-failed"),
    @JsonSubTypes.Type(value = ControlMessage.Ping.class, name = "ping"),
    @JsonSubTypes.Type(value = ControlMessage.Pong.class, name = "pong"),
    @JsonSubTypes.Type(value = ControlMessage.Drain.class, name = "drain"),
    @JsonSubTypes.Type(value = ControlMessage.Error.class, name = "error"),
    @JsonSubTypes.Type(value = ControlMessage.Features.class, name = "features"),
    @JsonSubTypes.Type(value = ControlMessage.Facts.class, name = "facts")
})
public sealed interface ControlMessage {

    /** Agent -> relay, first message: who I am and my SSH host public key (OpenSSH format). */
    record Hello(int protocolVersion, String agentVersion, String hostKey) implements ControlMessage {}

    /**
     * Relay -> agent: accepted; the relay's SSH client key(s) the agent's SSHD must accept, the CA
     * key(s) whose short-lived user certificates it must accept (operators' own SSH clients), and
     * what the admin allows on this device. Older relays send neither of the last two (null).
     * {@code rotation} vouches for both key lists with a signature by a relay key the agent may have
     * pinned at enrollment: the only way an enrolled agent accepts keys it did not pin (see
     * {@link TrustRotation}); null from older relays. {@code factsIntervalMillis}: the relay takes
     * {@link Facts} and wants them checked that often (sent only when changed); 0 from older relays,
     * which must not be sent facts (they would refuse an unknown message type).
     */
    record Welcome(int protocolVersion, long pingIntervalMillis, java.util.List<String> authorizedKeys,
                   java.util.List<String> userCaKeys, DeviceFeatures features, TrustRotation rotation,
                   long factsIntervalMillis)
            implements ControlMessage {
        /** A welcome from a relay that takes no facts. */
        public Welcome(int protocolVersion, long pingIntervalMillis, java.util.List<String> authorizedKeys,
                       java.util.List<String> userCaKeys, DeviceFeatures features, TrustRotation rotation) {
            this(protocolVersion, pingIntervalMillis, authorizedKeys, userCaKeys, features, rotation, 0);
        }

        /** A welcome without a rotation statement, from a relay that takes no facts. */
        public Welcome(int protocolVersion, long pingIntervalMillis, java.util.List<String> authorizedKeys,
                       java.util.List<String> userCaKeys, DeviceFeatures features) {
            this(protocolVersion, pingIntervalMillis, authorizedKeys, userCaKeys, features, null, 0);
        }
    }

    /**
     * Agent -> relay: the device's inventory ({@link DeviceFacts}), at connect and when it changed.
     * Kept as a JSON tree so the relay can refuse malformed facts (and keep the link) rather than
     * fail the whole message.
     */
    record Facts(com.fasterxml.jackson.databind.JsonNode facts) implements ControlMessage {}

    /** A message type this side does not know (a newer peer's): ignored, never sent. */
    record Unknown(String type) implements ControlMessage {}

    /** Relay -> agent: an admin changed what this device allows; applies to every later request. */
    record Features(DeviceFeatures features) implements ControlMessage {}

    /**
     * Relay -> agent: open {@code /agent/v1/streams/{streamId}} presenting {@code token}. In a
     * cluster the session may live on another relay than the one holding this link: then
     * {@code url} is that relay's advertised base URL and the stream goes there (the agent checks
     * it against what it trusts first); null means the relay that sent this message.
     */
    record OpenStream(String streamId, String token,
                      @com.fasterxml.jackson.annotation.JsonInclude(
                              com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String url)
            implements ControlMessage {
        public OpenStream(String streamId, String token) {
            this(streamId, token, null);
        }
    }

    /** Agent -> relay: the stream could not be opened (so the relay fails fast instead of timing out). */
    record StreamFailed(String streamId, String message) implements ControlMessage {}

    record Ping(long sentAtMillis) implements ControlMessage {}

    record Pong(long sentAtMillis) implements ControlMessage {}

    /** Relay -> agent: the relay is going away; reconnect after the given delay. */
    record Drain(long reconnectAfterMillis, String reason) implements ControlMessage {}

    /** Either way: a refusal with a code from {@link ErrorCode}. */
    record Error(String error, String message) implements ControlMessage {}
}
