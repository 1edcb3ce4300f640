package devicetunnel.relay.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import devicetunnel.relay.store.User;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputRecordingTest {
    private final InputRecording rules = InputRecording.parse(List.of("role:operator", "label:env=prod"));

    @Test
    void appliesToTheNamedRoleOrLabelOnly() {
        assertThat(rules.applies(User.Role.OPERATOR, Map.of())).isTrue();
        assertThat(rules.applies(User.Role.ADMIN, Map.of("env", "prod"))).isTrue();
        assertThat(rules.applies(User.Role.ADMIN, Map.of("env", "test"))).isFalse();
        assertThat(rules.applies(null, Map.of())).isFalse();
        assertThat(InputRecording.NONE.applies(User.Role.OPERATOR, Map.of("env", "prod"))).isFalse();
        assertThat(rules.matchingLabels(Map.of("env", "prod"))).containsExactly("label:env=prod");
        assertThat(rules.roleRules()).containsExactly("role:operator");
    }

    @Test
    void aRuleOfNeitherFormIsRefusedByName() {
        assertThatThrownBy(() -> InputRecording.parse(List.of("env=prod"))).hasMessageContaining("'env=prod'");
        assertThatThrownBy(() -> InputRecording.parse(List.of("role:root"))).hasMessageContaining("names no role");
        assertThatThrownBy(() -> InputRecording.parse(List.of("label:=x"))).hasMessageContaining("label:KEY=VALUE");
    }
}
