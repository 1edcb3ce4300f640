package devicetunnel.relay.cli;

import devicetunnel.protocol.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** picocli's view of {@link Durations}: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
