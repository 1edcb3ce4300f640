package devicetunnel.relay.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Saved device-list filters over the public API: each user's own, replaced by name, capped, checked input. */
@Timeout(90)
class DeviceFiltersIT {
    private static final String PATH = "/api/v1/account/device-filters";

    @TempDir
    Path dir;
    TestRelay relay;
    String admin;
    String viewer;

    @BeforeEach
    void start() throws Exception {
        relay = new TestRelay(dir);
        relay.addUser("vera", "vera's password 1", User.Role.VIEWER, Map.of("env", "lab"));
        admin = relay.adminToken();
        viewer = relay.login("vera", "vera's password 1");
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
    }

    @Test
    void eachUserSavesListsReplacesAndDeletesTheirOwnFilters() throws Exception {
        assertThat(relay.get(PATH, viewer).body()).isEqualTo("[]");
        HttpResponse<String> created = relay.send("POST", PATH, viewer, Map.of("name", " Lab offline ", "filter", "env=lab offline"));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode saved = Json.MAPPER.readTree(created.body());
        assertThat(saved.get("name").asText()).isEqualTo("Lab offline");
        assertThat(saved.get("filter").asText()).isEqualTo("env=lab offline");
        assertThat(saved.get("createdAt").asText()).isNotBlank();
        String id = saved.get("id").asText();
        assertThat(relay.send("POST", PATH, viewer, Map.of("name", "arm", "filter", "aarch64")).statusCode()).isEqualTo(201);

        HttpResponse<String> replaced = relay.send("POST", PATH, viewer, Map.of("name", "Lab offline", "filter", "env=lab"));
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(replaced.body()).get("id").asText()).isEqualTo(id);

        JsonNode list = Json.MAPPER.readTree(relay.get(PATH, viewer).body());
        assertThat(list).extracting(n -> n.get("name").asText()).containsExactly("Lab offline", "arm");
        assertThat(list.get(0).get("filter").asText()).isEqualTo("env=lab");

        // Another user neither sees nor deletes them.
        assertThat(relay.get(PATH, admin).body()).isEqualTo("[]");
        assertThat(relay.send(delete(id, admin)).statusCode()).isEqualTo(404);
        assertThat(relay.send(delete(id, viewer)).statusCode()).isEqualTo(204);
        assertThat(relay.send(delete(id, viewer)).statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(relay.get(PATH, viewer).body())).extracting(n -> n.get("name").asText())
                .containsExactly("arm");
    }

    @Test
    void badInputIsRefusedWithTheFieldNamedAndTheCapHolds() throws Exception {
        assertThat(relay.get(PATH, null).statusCode()).isEqualTo(401);
        assertRefused(relay.post(PATH, viewer, "{\"name\":\"x\"}"), 400, "'filter'");
        assertRefused(relay.post(PATH, viewer, "{\"name\":\"x\",\"filter\":\"y\",\"shared\":true}"), 400, "Unknown field 'shared'");
        assertRefused(relay.send("POST", PATH, viewer, Map.of("name", "   ", "filter", "y")), 400, "'name'");
        assertRefused(relay.send("POST", PATH, viewer, Map.of("name", "a\u001b[31mred", "filter", "y")), 400, "control");
        assertRefused(relay.send("POST", PATH, viewer, Map.of("name", "x", "filter", "f".repeat(257))), 400, "256");
        assertRefused(relay.post(PATH, viewer, "[1]"), 400, "");
        for (int i = 0; i < 50; i++) {
            assertThat(relay.send("POST", PATH, viewer, Map.of("name", "f" + i, "filter", "w" + i)).statusCode()).isEqualTo(201);
        }
        assertRefused(relay.send("POST", PATH, viewer, Map.of("name", "one more", "filter", "x")), 409, "delete one first");
        assertThat(relay.send("POST", PATH, viewer, Map.of("name", "f7", "filter", "changed")).statusCode())
                .as("replacing needs no room").isEqualTo(200);
    }

    private static void assertRefused(HttpResponse<String> response, int status, String words) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(Json.MAPPER.readTree(response.body()).get("message").asText()).contains(words);
    }

    private HttpRequest delete(String id, String token) {
        return HttpRequest.newBuilder(URI.create(relay.baseUrl() + PATH + "/" + id))
                .header("Authorization", "Bearer " + token).DELETE().build();
    }
}
