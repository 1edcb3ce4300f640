package devicetunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DurationsTest {
    @Test
    void operatorSpellingsParse() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse(" 2M ")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void nonsenseIsRefusedWithAHint() {
        for (String text : new String[] {"", "s", "ten minutes", "5x", "1.5h", null}) {
            assertThatThrownBy(() -> Durations.parse(text)).as(String.valueOf(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("try 30s");
        }
    }
}
