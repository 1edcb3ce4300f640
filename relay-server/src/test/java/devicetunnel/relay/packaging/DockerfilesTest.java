package devicetunnel.relay.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Dockerfiles read as a linter would (no docker engine or hadolint here): a build stage and a
 * JRE-only runtime stage, a non-root USER, a HEALTHCHECK (the relay's on /readyz), an exec-form
 * ENTRYPOINT, no secret in ARG/ENV; and docker-compose.yml builds them with read-only roots.
 */
@Timeout(30)
class DockerfilesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** One instruction: its keyword and the rest, continuation lines joined. */
    record Instruction(String keyword, String args) {}

    @Test
    void relayImageIsMultiStageNonRootAndChecksReadyz() throws IOException {
        List<Instruction> relay = parse(ROOT.resolve("docker/relay.Dockerfile"));
        checkRuntime(relay);
        assertThat(relay).filteredOn(i -> i.keyword().equals("FROM")).anyMatch(i -> i.args().contains("maven") && i.args().endsWith("AS build"))
                .anyMatch(i -> i.args().contains("node"));
        assertThat(relay).filteredOn(i -> i.keyword().equals("HEALTHCHECK")).singleElement()
                .satisfies(h -> assertThat(h.args()).contains("/readyz"));
    }

    @Test
    void agentImageIsMultiStageAndNonRoot() throws IOException {
        List<Instruction> agent = parse(ROOT.resolve("docker/agent.Dockerfile"));
        checkRuntime(agent);
        assertThat(agent).filteredOn(i -> i.keyword().equals("HEALTHCHECK")).singleElement()
                .satisfies(h -> assertThat(h.args()).contains("status"));
    }

    @Test
    void composeBuildsTheImagesWithReadOnlyRoots() throws IOException {
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile()).path("services");
        for (String name : List.of("relay", "device", "relay-a", "cluster-device")) {
            JsonNode service = services.path(name);
            assertThat(service.path("build").path("dockerfile").asText()).as(name).matches("docker/(relay|agent)\\.Dockerfile");
            assertThat(service.path("read_only").asBoolean()).as(name).isTrue();
            assertThat(service.path("tmpfs").toString()).as(name).contains("/tmp");
        }
        assertThat(Files.readString(ROOT.resolve(".dockerignore"))).contains("secrets/", "**/target/");
    }

    private static void checkRuntime(List<Instruction> dockerfile) {
        List<Integer> froms = new ArrayList<>();
        for (int i = 0; i < dockerfile.size(); i++) {
            if (dockerfile.get(i).keyword().equals("FROM")) {
                froms.add(i);
            }
        }
        assertThat(froms).as("a build stage and a runtime stage").hasSizeGreaterThanOrEqualTo(2);
        List<Instruction> runtime = dockerfile.subList(froms.get(froms.size() - 1), dockerfile.size());
        assertThat(runtime.get(0).args()).as("runtime: a JRE, no JDK or Maven").matches("eclipse-temurin:\\d+-jre");
        List<Instruction> users = runtime.stream().filter(i -> i.keyword().equals("USER")).toList();
        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).args();
        assertThat(user.split(":")[0]).isNotIn("root", "0");
        assertThat(runtime.stream().filter(i -> i.keyword().equals("ENTRYPOINT")).toList()).singleElement()
                .satisfies(e -> assertThat(e.args()).startsWith("["));
        assertThat(runtime).filteredOn(i -> i.keyword().equals("VOLUME")).isNotEmpty();
        for (Instruction i : dockerfile) {
            if (i.keyword().equals("ARG") || i.keyword().equals("ENV")) {
                for (String word : i.args().split("\\s+")) {
                    String name = word.split("=")[0];
                    if (name.matches("[A-Z_]*(SECRET|PASSWORD|TOKEN|KEY)[A-Z_]*")) {
                        assertThat(name).as("secrets come from files at run time").endsWith("_FILE");
                    }
                }
            }
            assertThat(i.keyword().equals("COPY") && i.args().contains("secrets")).as(i.toString()).isFalse();
        }
    }

    private static List<Instruction> parse(Path dockerfile) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            current.append(trimmed.endsWith("\\") ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!trimmed.endsWith("\\")) {
                String text = current.toString().strip();
                int space = text.indexOf(' ');
                instructions.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1).strip()));
                current.setLength(0);
            }
        }
        return instructions;
    }
}
