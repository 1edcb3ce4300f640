package devicetunnel.relay.store;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Labels ({@code env=lab,site=paris}) as a sorted map and back. */
public final class Labels {
    private Labels() {}

    public static Map<String, String> parse(String text) {
        Map<String, String> labels = new TreeMap<>();
        if (text == null || text.isBlank()) {
            return labels;
        }
        for (String pair : text.split(",")) {
            String p = pair.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("label must be key=value: " + p);
            }
            labels.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return labels;
    }

    public static String format(Map<String, String> labels) {
        return labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }
}
