package devicetunnel.relay.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures everything logged in this JVM while open, to check that no secret ever reaches a log. */
public final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    /** Every captured line: message, MDC and exception messages, as a log file would show them. */
    public synchronized List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            StringBuilder line = new StringBuilder(e.getFormattedMessage()).append(' ').append(e.getMDCPropertyMap());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                line.append(' ').append(t.getMessage());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
