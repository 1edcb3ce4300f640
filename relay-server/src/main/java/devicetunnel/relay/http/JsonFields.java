package devicetunnel.relay.http;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Strict reading of request bodies: unknown fields, wrong types and out-of-range values are 400s that name the field. */
final class JsonFields {
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9._-]{0,63}");

    private final JsonNode body;

    JsonFields(JsonNode body, Set<String> known) {
        this.body = body;
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw bad("Unknown field '" + clip(name) + "'.");
            }
        }
    }

    boolean has(String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    String text(String field, int maxLength) {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual() || node.asText().isEmpty() || node.asText().length() > maxLength) {
            throw bad("'" + field + "' must be a non-empty string of at most " + maxLength + " characters.");
        }
        return node.asText();
    }

    boolean bool(String field, boolean fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw bad("'" + field + "' must be true or false.");
        }
        return node.asBoolean();
    }

    long integer(String field, long fallback, long min, long max) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            throw bad("'" + field + "' must be an integer from " + min + " to " + max + ".");
        }
        return node.asLong();
    }

    Map<String, String> labels(String field) {
        JsonNode node = body.get(field);
        Map<String, String> labels = new TreeMap<>();
        if (node == null || node.isNull()) {
            return labels;
        }
        if (!node.isObject() || node.size() > 32) {
            throw bad("'" + field + "' must be an object of at most 32 string labels.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!LABEL_KEY.matcher(e.getKey()).matches() || !e.getValue().isTextual()
                    || !LABEL_VALUE.matcher(e.getValue().asText()).matches()) {
                throw bad("'" + field + "': keys and values are letters, digits, '.', '_' or '-' (keys non-empty).");
            }
            labels.put(e.getKey(), e.getValue().asText());
        }
        return labels;
    }

    static TunnelException bad(String message) {
        return new TunnelException(ErrorCode.BAD_REQUEST, message);
    }

    static String clip(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 32 ? printable.substring(0, 32) + "…" : printable;
    }
}
