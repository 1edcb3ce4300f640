package devicetunnel.relay.cli;

import devicetunnel.relay.ws.TerminalCompression;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code off}, {@code fast} or {@code default}, in any case. */
final class TerminalCompressionConverter implements ITypeConverter<TerminalCompression> {
    @Override
    public TerminalCompression convert(String value) {
        try {
            return TerminalCompression.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not one of "
                    + Arrays.toString(TerminalCompression.values()).toLowerCase(Locale.ROOT));
        }
    }
}
