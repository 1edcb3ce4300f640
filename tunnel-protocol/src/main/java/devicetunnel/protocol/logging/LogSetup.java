package devicetunnel.protocol.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code --log-format} and per-package levels ({@code DT_LOG_LEVELS}) to the logback
 * configuration the jar ships, once the command line is parsed. Does nothing when another SLF4J
 * backend is bound (then that backend's own configuration rules).
 */
public final class LogSetup {
    private LogSetup() {}

    public enum Format {
        TEXT, JSON;

        /** {@code --log-format}'s value, any case. */
        public static Format parse(String value) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(value)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("--log-format must be text or json, not '" + value + "'");
        }
    }

    /**
     * {@code levels}: {@code logger=level} pairs separated by commas, e.g.
     * {@code devicetunnel.relay.http=debug,org.eclipse.jetty=warn}; null or blank for none.
     * {@code process}: "relay" or "device", the JSON field naming this process on every line; {@code name} its value.
     */
    public static void apply(Format format, String levels, String process, String name) {
        Map<String, Level> parsed = parseLevels(levels); // a typo fails the start, before anything changed
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        parsed.forEach((logger, level) -> context.getLogger(logger).setLevel(level));
        if (name != null) {
            context.putProperty(process, name);
        }
        if (format == Format.JSON) {
            for (Iterator<Appender<ILoggingEvent>> it = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
                 it.hasNext(); ) {
                if (it.next() instanceof OutputStreamAppender<ILoggingEvent> stream) {
                    JsonLineEncoder encoder = new JsonLineEncoder();
                    encoder.setContext(context);
                    encoder.start();
                    stream.setEncoder(encoder);
                }
            }
        }
    }

    static Map<String, Level> parseLevels(String spec) {
        Map<String, Level> levels = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return levels;
        }
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            String logger = eq < 0 ? "" : pair.substring(0, eq).strip();
            String level = eq < 0 ? "" : pair.substring(eq + 1).strip().toUpperCase(Locale.ROOT);
            Level parsed = Level.toLevel(level, null);
            if (logger.isEmpty() || parsed == null) {
                throw new IllegalArgumentException("log levels must be logger=level pairs (trace, debug, info, warn, "
                        + "error, off) separated by commas, not '" + pair.strip() + "'");
            }
            levels.put(logger, parsed);
        }
        return levels;
    }
}
