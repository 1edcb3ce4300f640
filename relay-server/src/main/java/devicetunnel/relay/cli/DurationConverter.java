package devicetunnel.relay.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Reads durations the way operators write them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 7d}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
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
                default: return Duration.parse(value);
            }
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (try 30s, 5m, 1h, 7d, 500ms)");
        }
    }
}
