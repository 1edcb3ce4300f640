package devicetunnel.protocol.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class JsonLineEncoderTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("devicetunnel.relay.http.Example");

    @Test
    void writesOneObjectPerLineWithTheContextFieldsAndTheError() throws Exception {
        context.putProperty("relay", "relay-a");
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        LoggingEvent event = new LoggingEvent("x", logger, Level.WARN, "quote \" and\nnewline {}",
                new IllegalStateException("boom"), new Object[] {"arg"});
        event.setMDCPropertyMap(Map.of("session", "s-1", "operator", "alice", "secretish", "left out"));

        String text = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        assertThat(text.strip()).doesNotContain("\n"); // one line, whatever the message holds
        JsonNode line = new ObjectMapper().readTree(text);
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("logger").asText()).isEqualTo("devicetunnel.relay.http.Example");
        assertThat(line.get("message").asText()).isEqualTo("quote \" and\nnewline arg");
        assertThat(line.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(line.get("session").asText()).isEqualTo("s-1");
        assertThat(line.get("operator").asText()).isEqualTo("alice");
        assertThat(line.get("relay").asText()).isEqualTo("relay-a");
        assertThat(line.has("device")).isFalse();
        assertThat(line.has("secretish")).isFalse();
        assertThat(line.get("error").asText()).contains("IllegalStateException: boom");
    }

    @Test
    void levelsComeAsLoggerLevelPairs() {
        assertThat(LogSetup.parseLevels(" devicetunnel.relay.http=debug, org.eclipse.jetty=WARN "))
                .containsExactly(Map.entry("devicetunnel.relay.http", Level.DEBUG), Map.entry("org.eclipse.jetty", Level.WARN));
        assertThat(LogSetup.parseLevels(null)).isEmpty();
        assertThatThrownBy(() -> LogSetup.parseLevels("org.eclipse.jetty")).hasMessageContaining("logger=level");
        assertThatThrownBy(() -> LogSetup.parseLevels("devicetunnel=loud")).hasMessageContaining("'devicetunnel=loud'");
        assertThatThrownBy(() -> LogSetup.Format.parse("xml")).hasMessageContaining("text or json");
    }
}
