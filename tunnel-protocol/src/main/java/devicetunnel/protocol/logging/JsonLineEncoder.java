package devicetunnel.protocol.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One JSON object per log line: {@code time} (ISO-8601 UTC), {@code level}, {@code logger},
 * {@code thread}, {@code message}, then the MDC fields {@code device}, {@code session},
 * {@code operator} where set, {@code relay} or {@code agent} (this process, from the logger
 * context's property of that name) and {@code error} (the stack trace) for an exception.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    /** MDC keys copied into each line; other MDC entries stay out (no surprises for log shippers). */
    static final List<String> MDC_FIELDS = List.of("device", "session", "operator");
    /** Logger-context properties naming this process, copied into every line. */
    static final List<String> PROCESS_FIELDS = List.of("relay", "agent");

    private final JsonFactory json = new JsonFactory();

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator line = json.createGenerator(out)) {
            line.writeStartObject();
            line.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            line.writeStringField("level", event.getLevel().toString());
            line.writeStringField("logger", event.getLoggerName());
            line.writeStringField("thread", event.getThreadName());
            line.writeStringField("message", event.getFormattedMessage());
            Map<String, String> mdc = event.getMDCPropertyMap();
            for (String field : MDC_FIELDS) {
                String value = mdc.get(field);
                if (value != null) {
                    line.writeStringField(field, value);
                }
            }
            for (String field : PROCESS_FIELDS) {
                String value = getContext() == null ? null : getContext().getProperty(field);
                if (value != null) {
                    line.writeStringField(field, value);
                }
            }
            IThrowableProxy error = event.getThrowableProxy();
            if (error != null) {
                line.writeStringField("error", ThrowableProxyUtil.asString(error));
            }
            line.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        out.write('\n');
        return out.toByteArray();
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
