package devicetunnel.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Encodes and decodes {@link ControlMessage}s; decoding failures become {@link ErrorCode#BAD_REQUEST},
 * except an unknown {@code type}, which becomes {@link ControlMessage.Unknown} for the caller to ignore.
 */
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

    /** The facts as the tree a {@link ControlMessage.Facts} carries. */
    public static com.fasterxml.jackson.databind.JsonNode tree(DeviceFacts facts) {
        return MAPPER.valueToTree(facts);
    }

    /**
     * The facts in {@code tree}, or a {@link TunnelException} (bad request) saying why they are
     * refused: not an object, larger than {@link DeviceFacts#MAX_JSON_CHARS}, wrong types, over a bound.
     */
    public static DeviceFacts facts(com.fasterxml.jackson.databind.JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "facts must be a JSON object");
        }
        if (tree.toString().length() > DeviceFacts.MAX_JSON_CHARS) {
            throw new TunnelException(ErrorCode.PAYLOAD_TOO_LARGE, "facts larger than " + DeviceFacts.MAX_JSON_CHARS + " characters");
        }
        DeviceFacts facts;
        try {
            facts = MAPPER.treeToValue(tree, DeviceFacts.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "facts have fields of the wrong type");
        }
        String problem = facts.problem();
        if (problem != null) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "facts refused: " + problem);
        }
        return facts;
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
        } catch (InvalidTypeIdException e) {
            // Only an object names its type; Jackson would also read an array as [type, value].
            if (e.getTypeId() == null || e.getTypeId().isBlank() || !text.stripLeading().startsWith("{")) {
                throw new TunnelException(ErrorCode.BAD_REQUEST, "control message without a type");
            }
            String type = e.getTypeId();
            return new ControlMessage.Unknown(type.length() > 64 ? type.substring(0, 64) : type);
        } catch (JsonProcessingException e) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "malformed control message");
        }
    }
}
