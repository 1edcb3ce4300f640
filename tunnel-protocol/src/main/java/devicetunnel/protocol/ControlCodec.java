package devicetunnel.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Encodes and decodes {@link ControlMessage}s; decoding failures become {@link ErrorCode#BAD_REQUEST}. */
public final class ControlCodec {
    /** Control messages are tiny; anything larger is garbage or an attack. */
    public static final int MAX_MESSAGE_CHARS = 16 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ControlCodec() {}

    public static String encode(ControlMessage message) {
        try {
            return MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    public static ControlMessage decode(String text) {
        if (text == null || text.length() > MAX_MESSAGE_CHARS) {
            throw new TunnelException(ErrorCode.PAYLOAD_TOO_LARGE, "control message too large");
        }
        try {
            ControlMessage message = MAPPER.readValue(text, ControlMessage.class);
            if (message == null) {
                throw new TunnelException(ErrorCode.BAD_REQUEST, "empty control message");
            }
            return message;
        } catch (JsonProcessingException e) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "malformed control message");
        }
    }
}
