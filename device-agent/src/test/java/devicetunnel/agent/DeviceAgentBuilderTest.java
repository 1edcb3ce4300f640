package devicetunnel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DeviceAgentBuilderTest {
    @TempDir
    Path dir;

    private DeviceAgent.Builder complete() {
        return DeviceAgent.builder().relay("http://127.0.0.1:1").deviceId("dev-1").stateDir(dir);
    }

    @Test
    void namesWhatIsMissing() {
        assertThatThrownBy(() -> DeviceAgent.builder().deviceId("d").stateDir(dir).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the device agent needs a relay URL");
        assertThatThrownBy(() -> DeviceAgent.builder().relay("https://relay.example").stateDir(dir).start())
                .hasMessage("the device agent needs a device id");
        assertThatThrownBy(() -> DeviceAgent.builder().relay("https://relay.example").deviceId("d").start())
                .hasMessage("the device agent needs a state directory");
        assertThatThrownBy(() -> complete().maxStreams(0).start()).hasMessageContaining("max streams");
    }

    @Test
    void refusesPlainHttpOffLoopbackUnlessAllowed() throws Exception {
        assertThatThrownBy(() -> complete().relay("http://relay.example").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refusing plain http");
        assertThat(complete().relay("http://relay.example").allowPlainHttp(true).config().relay().base())
                .hasToString("http://relay.example");
    }

    @Test
    void terminalsRunTheGivenCommandOrALoginShell() throws Exception {
        assertThat(complete().terminalCommand("/opt/app/console", "--operator").config().shellCommand())
                .containsExactly("/opt/app/console", "--operator");
        assertThat(complete().shell("/bin/sh").config().shellCommand()).containsExactly("/bin/sh", "-l");
        assertThat(complete().terminalCommand("/opt/app/console").shell(null).config().shellCommand())
                .last().isEqualTo("-l");
    }

    @Test
    void defaultsAreTheCommandLines() throws Exception {
        Agent.AgentConfig config = complete().config();
        assertThat(config.allowForwarding()).isFalse();
        assertThat(config.allowWebApps()).isTrue();
        assertThat(config.maxStreams()).isEqualTo(32);
        assertThat(config.streamHosts()).isEqualTo(List.of());
        assertThat(config.backoffCap()).hasSeconds(60);
    }
}
