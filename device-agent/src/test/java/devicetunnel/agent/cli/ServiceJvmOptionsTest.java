package devicetunnel.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

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
    void theUnitSetsTheMallocArenasAndTheLaunchersCacheDirectory() throws Exception {
        String unit = SystemdUnit.render("d-1", "devtunnel", Path.of("/var/lib/device-agent"), List.of("/usr/bin/device-agent"));
        assertThat(unit).contains("Environment=MALLOC_ARENA_MAX=" + ServiceJvmOptions.MALLOC_ARENA_MAX)
                .contains("\nCacheDirectory=device-agent\n");
        assertThat(Files.readString(LAUNCHER)).contains("${CACHE_DIRECTORY:-}");
    }

    /** A subcommand's classes are not the agent's: the launcher records the class-data archive only for the agent itself. */
    @Test
    void theLauncherRecordsNoArchiveForASubcommand() throws Exception {
        Matcher skip = Pattern.compile("(?m)^\\s+([A-Za-z|-]+)\\) return 0 ;; # subcommands and help: no archive$")
                .matcher(Files.readString(LAUNCHER));
        assertThat(skip.find()).as("the subcommand case in " + LAUNCHER).isTrue();
        List<String> names = new ArrayList<>(new CommandLine(new AgentMain()).getSubcommands().keySet());
        names.addAll(List.of("-h", "--help", "-V", "--version"));
        assertThat(skip.group(1).split("\\|")).containsExactlyInAnyOrderElementsOf(names);
    }
}
