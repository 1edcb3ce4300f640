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
 * {@code thread}, {@code message}, then {@code device}, {@code session}, {@code operator} and
 * {@code relay} where known, and {@code error} (the stack trace) for an exception. Each of those four
 * comes from the MDC of the logging thread, else from the logger context's property of that name
 * (which names the process: a relay's id, an agent's device id).
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    /** The context fields a line may carry; other MDC entries stay out (no surprises for log shippers). */
    static final List<String> CONTEXT_FIELDS = List.of("device", "session", "operator", "relay");

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
            for (String field : CONTEXT_FIELDS) {
                String value = mdc.get(field);
                if (value == null && getContext() != null) {
                    value = getContext().getProperty(field);
                }
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
