package devicetunnel.protocol;

import java.time.Duration;
import java.util.Locale;

/** Durations the way operators write them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 30d}. */
public final class Durations {
    private Durations() {}

    /** @throws IllegalArgumentException with a hint when the text is not a duration */
    public static Duration parse(String text) {
        String v = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            switch (v.charAt(v.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                case 'd': return Duration.ofDays(n);
                default: return Duration.parse(text.trim());
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (try 30s, 5m, 500ms)");
        }
    }
}
