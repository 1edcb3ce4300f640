package devicetunnel.relay.ws;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.http.Json;

/**
 * What a browser may send as text on the terminal websocket (its binary frames are the input).
 * Anything else is a 400: the endpoint answers it with an error and closes.
 */
sealed interface TerminalControl {
    int MAX_CHARS = 4096;
    int MAX_DIMENSION = 1000;

    /** The terminal's size changed. */
    record Resize(int cols, int rows) implements TerminalControl {}

    /** The browser has shown {@code bytes} more output (flow control). */
    record Ack(long bytes) implements TerminalControl {}

    /** The answer to the relay's JSON ping: the browser is still there. */
    record Pong() implements TerminalControl {}

    /** The operator closed the tab: the shell ends now, not after the resume grace. */
    record Close() implements TerminalControl {}

    static TerminalControl parse(String text) {
        JsonNode message = Json.readObject(text, MAX_CHARS);
        String type = message.path("type").asText("");
        return switch (type) {
            case "resize" -> new Resize(dimension(message.get("cols")), dimension(message.get("rows")));
            case "ack" -> new Ack(bytes(message.get("bytes")));
            case "pong" -> new Pong();
            case "close" -> new Close();
            default -> throw new TunnelException(ErrorCode.BAD_REQUEST, "Unknown message type '" + clip(type) + "'.");
        };
    }

    private static int dimension(JsonNode node) {
        if (node == null || !node.canConvertToInt() || node.asInt() < 1 || node.asInt() > MAX_DIMENSION) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "cols and rows must be integers from 1 to " + MAX_DIMENSION + ".");
        }
        return node.asInt();
    }

    private static long bytes(JsonNode node) {
        if (node == null || !node.canConvertToLong() || node.asLong() < 0) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "ack needs a non-negative 'bytes'.");
        }
        return node.asLong();
    }

    private static String clip(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "…" : s;
    }
}
