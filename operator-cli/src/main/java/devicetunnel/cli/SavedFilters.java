package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** The caller's saved device filters on the relay (/api/v1/account/device-filters), shared with the console. */
final class SavedFilters {
    static final String PATH = "/api/v1/account/device-filters";

    private final LoggedIn in;

    SavedFilters(LoggedIn in) {
        this.in = in;
    }

    /** {@code [{"id","name","filter","createdAt"}]}, by name. */
    JsonNode list() {
        return in.get(PATH);
    }

    /** Saves {@code filter} under {@code name}, replacing the filter of that name if there is one. */
    JsonNode save(String name, String filter) {
        return in.post(PATH, Map.of("name", name, "filter", filter));
    }

    void delete(JsonNode saved) {
        in.delete(PATH + "/" + LoggedIn.id("saved filter", saved.path("id").asText()));
    }

    /** The filter named {@code nameOrId} (names first: they are what people type), or an error listing the names. */
    JsonNode find(String nameOrId) {
        JsonNode all = list();
        for (JsonNode f : all) {
            if (f.path("name").asText().equals(nameOrId)) {
                return f;
            }
        }
        for (JsonNode f : all) {
            if (f.path("id").asText().equals(nameOrId)) {
                return f;
            }
        }
        StringBuilder names = new StringBuilder();
        all.forEach(f -> names.append(names.length() == 0 ? "" : ", ").append('\'').append(f.path("name").asText()).append('\''));
        throw new CliException(CliException.REFUSED, "you have no saved filter named '" + nameOrId + "'"
                + (names.length() == 0 ? " (you have none yet: devtunnel filters save NAME QUERY)" : "; yours: " + names));
    }
}
