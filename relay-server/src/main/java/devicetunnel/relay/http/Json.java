package devicetunnel.relay.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.Map;

/** The relay's one JSON mapper (Jackson), also plugged into Javalin. Instants are ISO-8601 strings. */
public final class Json implements io.javalin.json.JsonMapper {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a JSON object; anything else is a 400. */
    public static JsonNode readObject(String text, int maxChars) {
        if (text == null || text.length() > maxChars) {
            throw new TunnelException(ErrorCode.PAYLOAD_TOO_LARGE, "message too large");
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                throw new TunnelException(ErrorCode.BAD_REQUEST, "expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "malformed JSON");
        }
    }

    public static String error(ErrorCode code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "error");
        body.put("error", code.code());
        body.put("message", message == null ? code.defaultMessage() : message);
        return write(body);
    }

    @Override
    public String toJsonString(Object obj, Type type) {
        return write(obj);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T fromJsonString(String json, Type targetType) {
        try {
            return (T) MAPPER.readValue(json, MAPPER.constructType(targetType));
        } catch (JsonProcessingException e) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "malformed JSON");
        }
    }
}
