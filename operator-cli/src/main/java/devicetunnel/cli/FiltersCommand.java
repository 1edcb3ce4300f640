package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code devtunnel filters list|save|delete}: your saved device filters, the same ones the
 * console's saved-filter bar shows; {@code devtunnel devices --saved-filter NAME} applies one.
 */
@Command(name = "filters", mixinStandardHelpOptions = true,
        description = "Your saved device filters (shared with the console): list, save, delete.",
        subcommands = {FiltersCommand.ListFilters.class, FiltersCommand.Save.class, FiltersCommand.Delete.class})
final class FiltersCommand extends GroupCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Your saved filters, by name.")
    static final class ListFilters extends GroupSubcommand {
        @Option(names = "--json", description = "Print the relay's JSON ([{\"id\",\"name\",\"filter\",\"createdAt\"}]).")
        boolean json;

        @Override
        public Integer call() {
            JsonNode filters = new SavedFilters(loggedIn()).list();
            PrintWriter out = out();
            if (json) {
                out.println(filters);
                return 0;
            }
            out.printf("%-24s %-32s %s%n", "NAME", "ID", "FILTER");
            for (JsonNode f : filters) {
                out.printf("%-24s %-32s %s%n", f.path("name").asText(), f.path("id").asText(), f.path("filter").asText());
            }
            return 0;
        }
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = {"Save QUERY under NAME (replacing your filter of that name).",
                    "QUERY is the console's filter words: every word must occur in a device's name, id, "
                            + "online/offline, labels (env=prod) or facts, e.g. 'env=prod offline'."})
    static final class Save extends GroupSubcommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "At most 64 characters.")
        String name;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "QUERY",
                description = "The filter words (quoted or not), at most 256 characters.")
        List<String> query;

        @Override
        public Integer call() {
            JsonNode saved = new SavedFilters(loggedIn()).save(name, String.join(" ", query));
            out().printf("Saved filter '%s': %s (id %s)%n", saved.path("name").asText(),
                    saved.path("filter").asText(), saved.path("id").asText());
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one of your saved filters.")
    static final class Delete extends GroupSubcommand {
        @Parameters(index = "0", paramLabel = "NAME|ID", description = "Its name or id (devtunnel filters list).")
        String nameOrId;

        @Override
        public Integer call() {
            SavedFilters filters = new SavedFilters(loggedIn());
            JsonNode saved = filters.find(nameOrId);
            filters.delete(saved);
            out().printf("Deleted saved filter '%s'.%n", saved.path("name").asText());
            return 0;
        }
    }
}
