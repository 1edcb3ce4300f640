package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console's device-list filter (web-ui/src/devices.ts, matchesFilter) for the CLI, so a saved
 * filter narrows {@code devtunnel devices} exactly as it narrows the console's list: every
 * whitespace-separated word must occur, case-insensitively, somewhere in the device's name, id,
 * online state, labels ({@code k=v}, {@code k}, {@code v}) or inventory facts.
 */
final class DeviceFilterWords {
    private static final String[] FACTS = {"os", "architecture", "kernel", "hostname", "agentVersion"};

    private DeviceFilterWords() {}

    static boolean matches(JsonNode device, String filter) {
        String text = haystack(device);
        return Arrays.stream(lower(filter).split("\\s+")).filter(w -> !w.isEmpty()).allMatch(text::contains);
    }

    private static String haystack(JsonNode d) {
        List<String> parts = new ArrayList<>(List.of(d.path("name").asText(), d.path("id").asText(),
                d.path("online").asBoolean() ? "online" : "offline"));
        for (Iterator<Map.Entry<String, JsonNode>> it = d.path("labels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            String k = label.getKey();
            String v = label.getValue().asText();
            parts.add(k + "=" + v + " " + k + " " + v);
        }
        JsonNode facts = d.path("facts");
        for (String fact : FACTS) {
            addText(parts, facts.path(fact));
        }
        facts.path("ipAddresses").forEach(ip -> addText(parts, ip));
        return lower(String.join(" ", parts));
    }

    /** Like the console, facts it does not have (null, missing, empty) add nothing. */
    private static void addText(List<String> parts, JsonNode value) {
        if (value.isTextual() && !value.asText().isEmpty()) {
            parts.add(value.asText());
        }
    }

    private static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
