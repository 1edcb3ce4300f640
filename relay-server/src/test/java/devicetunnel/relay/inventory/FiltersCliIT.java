package devicetunnel.relay.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.OperatorCli;
import devicetunnel.relay.support.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saved device filters from the operator's terminal: {@code devtunnel filters save|list|delete}
 * against a real relay, and {@code devtunnel devices --saved-filter} narrowing the list as the
 * console does (every word somewhere in name, id, online state, labels, facts). One real agent
 * (online) and two devices enrolled without one (offline).
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FiltersCliIT {
    private static final String PATH = "/api/v1/account/device-filters";
    private static final String ALICE_PW = "alice password 1";

    @TempDir
    static Path dir;
    TestRelay relay;
    OperatorCli alice;

    @BeforeAll
    void start() throws Exception {
        relay = new TestRelay(dir.resolve("relay"));
        relay.onlineDevice("web-1", Map.of("env", "prod"));
        relay.enrollDevice("web-2", Map.of("env", "prod"));
        relay.enrollDevice("lab-1", Map.of("env", "lab"));
        relay.addUser("alice", ALICE_PW, User.Role.OPERATOR, Map.of());
        alice = new OperatorCli(Files.createDirectories(dir.resolve("alice")));
        alice.login(relay.baseUrl(), "alice", ALICE_PW);
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void savedListedAppliedToDevicesAndDeletedByNameOrId() throws Exception {
        OperatorCli.Result saved = alice.devtunnelOutput("filters", "save", "prod down", "env=prod  offline");
        assertThat(saved.exitCode()).as(saved.stderr()).isZero();
        assertThat(saved.stdout()).contains("Saved filter 'prod down': env=prod  offline");
        ok(alice.devtunnelOutput("filters", "save", "prod", "ENV=PROD")); // unquoted words, upper case: matched as the console does
        ok(alice.devtunnelOutput("filters", "save", "prod", "env=prod")); // the same name again replaces it

        JsonNode list = json(alice.devtunnelOutput("filters", "list", "--json"));
        assertThat(list).extracting(f -> f.path("name").asText()).containsExactly("prod", "prod down");
        assertThat(list.get(0).path("filter").asText()).isEqualTo("env=prod");
        // What the console's saved-filter bar reads: the very same filters.
        assertThat(Json.MAPPER.readTree(relay.get(PATH, relay.login("alice", ALICE_PW)).body())).isEqualTo(list);
        OperatorCli.Result table = alice.devtunnelOutput("filters", "list");
        assertThat(table.stdout()).contains("NAME", "prod down", "env=prod  offline", list.get(1).path("id").asText());

        assertThat(ids(alice.devtunnelOutput("devices", "--saved-filter", "prod down", "--json"))).containsExactly("web-2");
        assertThat(ids(alice.devtunnelOutput("devices", "--saved-filter", "prod", "--json"))).containsExactlyInAnyOrder("web-1", "web-2");
        assertThat(ids(alice.devtunnelOutput("devices", "--json"))).containsExactlyInAnyOrder("web-1", "web-2", "lab-1");
        OperatorCli.Result byId = alice.devtunnelOutput("devices", "--saved-filter", list.get(1).path("id").asText());
        assertThat(byId.exitCode()).as(byId.stderr()).isZero();
        assertThat(byId.stdout()).contains("web-2").doesNotContain("web-1", "lab-1");

        OperatorCli.Result deleted = alice.devtunnelOutput("filters", "delete", "prod down");
        assertThat(deleted.exitCode()).as(deleted.stderr()).isZero();
        assertThat(deleted.stdout()).contains("Deleted saved filter 'prod down'.");
        ok(alice.devtunnelOutput("filters", "delete", list.get(0).path("id").asText()));
        assertThat(json(alice.devtunnelOutput("filters", "list", "--json"))).isEmpty();
    }

    @Test
    void unknownNamesAndBadInputSayWhyAndExitNonZero() throws Exception {
        ok(alice.devtunnelOutput("filters", "save", "lab only", "env=lab"));
        try {
            OperatorCli.Result devices = alice.devtunnelOutput("devices", "--saved-filter", "nope");
            assertThat(devices.exitCode()).isEqualTo(1);
            assertThat(devices.stdout()).isEmpty();
            assertThat(devices.stderr()).contains("no saved filter named 'nope'", "'lab only'");

            OperatorCli.Result delete = alice.devtunnelOutput("filters", "delete", "nope");
            assertThat(delete.exitCode()).isEqualTo(1);
            assertThat(delete.stderr()).contains("no saved filter named 'nope'");

            OperatorCli.Result longName = alice.devtunnelOutput("filters", "save", "n".repeat(65), "env=lab");
            assertThat(longName.exitCode()).isEqualTo(1);
            assertThat(longName.stderr()).contains("HTTP 400");

            OperatorCli.Result noQuery = alice.devtunnelOutput("filters", "save", "empty");
            assertThat(noQuery.exitCode()).isEqualTo(2);
            assertThat(noQuery.stderr()).contains("QUERY");
        } finally {
            ok(alice.devtunnelOutput("filters", "delete", "lab only"));
        }
    }

    private static List<String> ids(OperatorCli.Result result) throws Exception {
        return StreamSupport.stream(json(result).spliterator(), false).map(d -> d.path("id").asText()).toList();
    }

    private static void ok(OperatorCli.Result result) {
        assertThat(result.exitCode()).as(result.stderr()).isZero();
    }

    private static JsonNode json(OperatorCli.Result result) throws Exception {
        ok(result);
        return Json.MAPPER.readTree(result.stdout());
    }
}
