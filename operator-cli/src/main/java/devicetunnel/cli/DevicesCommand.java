package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code devtunnel devices}: the devices you may see (or those a saved filter matches), as a table or as the relay's JSON. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List the devices you may reach.")
final class DevicesCommand implements Callable<Integer> {
    @ParentCommand
    DevtunnelMain main;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the relay's JSON instead of a table.")
    boolean json;

    @Option(names = "--saved-filter", paramLabel = "NAME",
            description = "Only the devices your saved filter NAME (or id) matches, as in the console (devtunnel filters list).")
    String savedFilter;

    @Override
    public Integer call() {
        LoggedIn in = LoggedIn.of(main);
        JsonNode devices = in.relay().devices(in.session().token());
        if (savedFilter != null) {
            devices = matching(devices, new SavedFilters(in).find(savedFilter).path("filter").asText());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(devices.toPrettyString());
            return 0;
        }
        out.printf("%-24s %-8s %-24s %s%n", "ID", "STATUS", "NAME", "LABELS");
        for (JsonNode d : devices) {
            out.printf("%-24s %-8s %-24s %s%n", d.path("id").asText(), d.path("online").asBoolean() ? "online" : "offline",
                    d.path("name").asText(), labels(d.path("labels")));
        }
        return 0;
    }

    private static JsonNode matching(JsonNode devices, String filter) {
        ArrayNode kept = JsonNodeFactory.instance.arrayNode();
        devices.forEach(d -> {
            if (DeviceFilterWords.matches(d, filter)) {
                kept.add(d);
            }
        });
        return kept;
    }

    private static String labels(JsonNode labels) {
        StringBuilder text = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            text.append(text.length() == 0 ? "" : ",").append(label.getKey()).append('=').append(label.getValue().asText());
        }
        return text.toString();
    }
}
