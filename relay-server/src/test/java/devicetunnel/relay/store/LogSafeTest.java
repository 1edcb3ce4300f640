package devicetunnel.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class LogSafeTest {
    @Test
    void controlCharactersCannotForgeLinesAndLongValuesAreClipped() {
        assertThat(LogSafe.text("alice\r\n2026-12-01 INFO audit login.ok actor=admin")).doesNotContain("\r", "\n")
                .startsWith("alice??2026");
        assertThat(LogSafe.text("bob\u2028\u0000\u001b[31m\u202e")).isEqualTo("bob???[31m?");
        assertThat(LogSafe.text("p".repeat(500))).hasSize(LogSafe.MAX_NAME_CHARS + 1).endsWith("…");
        assertThat(LogSafe.text("zoë")).isEqualTo("zoë");
        assertThat(LogSafe.text(null)).isNull();
    }
}
