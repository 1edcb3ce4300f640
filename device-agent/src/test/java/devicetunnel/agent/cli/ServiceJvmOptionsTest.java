package devicetunnel.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The package's launcher and the unit `install` writes without it run the agent with the same, measured options. */
@Timeout(30)
class ServiceJvmOptionsTest {
    private static final Path LAUNCHER = Path.of("src", "deb", "files", "device-agent");

    @Test
    void launcherDefaultsAreTheServiceOptions() throws Exception {
        String script = Files.readString(LAUNCHER);
        Matcher options = Pattern.compile("(?m)^DEFAULT_JAVA_OPTS=\"([^\"]*)\"$").matcher(script);
        assertThat(options.find()).as("DEFAULT_JAVA_OPTS in " + LAUNCHER).isTrue();
        assertThat(List.of(options.group(1).split(" "))).isEqualTo(ServiceJvmOptions.OPTIONS);
        assertThat(script).contains("MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-" + ServiceJvmOptions.MALLOC_ARENA_MAX + "}",
                "${JAVA_OPTS:-$DEFAULT_JAVA_OPTS}");
    }

    @Test
    void theUnitSetsTheMallocArenas() {
        String unit = SystemdUnit.render("d-1", "devtunnel", Path.of("/var/lib/device-agent"), List.of("/usr/bin/device-agent"));
        assertThat(unit).contains("Environment=MALLOC_ARENA_MAX=" + ServiceJvmOptions.MALLOC_ARENA_MAX);
    }
}
