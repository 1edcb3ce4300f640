package devicetunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import devicetunnel.protocol.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code devtunnel run --selector SEL -- CMD...}: one command on many devices through the relay.
 * Prints each device's result as it ends, then a summary. Exit code 0 only when every targeted
 * device succeeded, {@value #NOT_ALL_SUCCEEDED} when the run went through but some did not.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run one command on many devices (an SSH exec, no terminal) and report each result.",
                "The words after -- are joined by spaces and run by each device's /bin/sh, as ssh does.",
                "Exit code: 0 when every targeted device succeeded, 5 when some did not (offline, failed, timed out...)."})
final class RunCommand implements Callable<Integer> {
    static final int NOT_ALL_SUCCEEDED = 5;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @ParentCommand
    DevtunnelMain main;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Targets targets;

    static final class Targets {
        @Option(names = "--selector", description = "Label selector: env=prod,site=berlin; key!=value; key (present); !key (absent).")
        String selector;

        @Option(names = "--device", split = ",", description = "Device ids (repeat or separate by commas) instead of a selector.")
        List<String> devices;
    }

    @Option(names = "--json", description = "One JSON object per device, then a summary line (for scripts).")
    boolean json;

    @Option(names = "--concurrency", defaultValue = "10", description = "Devices at once (1-64). Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--timeout", defaultValue = "60s", description = "Per device, e.g. 30s, 5m. Default: ${DEFAULT-VALUE}.")
    String timeout;

    @Option(names = "--stop-after-failures", defaultValue = "0",
            description = "Start no more devices after this many failed (0: never stop). Default: ${DEFAULT-VALUE}.")
    int stopAfterFailures;

    @Option(names = "--dry-run", description = "Only list the devices the command would reach.")
    boolean dryRun;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command, after --.")
    List<String> command;

    @Override
    public Integer call() {
        Session session = main.config().session();
        RelayClient relay = RelayClient.forSession(main.config(), session);
        PrintWriter out = spec.commandLine().getOut();
        JsonNode answer = relay.post("/api/v1/runs", session.token(), body());
        if (dryRun) {
            return printDryRun(out, answer);
        }
        String runId = answer.path("summary").path("id").asText();
        Thread cancelOnExit = new Thread(() -> cancelQuietly(relay, session, runId), "devtunnel-run-cancel");
        Runtime.getRuntime().addShutdownHook(cancelOnExit); // Ctrl-C cancels the run, not just the CLI
        try (Stream<String> lines = relay.eventLines("/api/v1/runs/" + runId + "/events", session.token())) {
            JsonNode summary = follow(lines, out);
            if (summary == null) {
                throw new CliException(CliException.UNREACHABLE, "the relay ended the result stream early; see run " + runId);
            }
            printSummary(out, summary);
            return summary.path("succeeded").asBoolean() ? 0 : NOT_ALL_SUCCEEDED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnExit);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs
            }
        }
    }

    private Map<String, Object> body() {
        Duration perDevice;
        try {
            perDevice = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (targets.selector != null) {
            body.put("selector", targets.selector);
        } else {
            body.put("devices", targets.devices);
        }
        body.put("command", String.join(" ", command));
        body.put("concurrency", concurrency);
        body.put("timeoutSeconds", Math.max(1, (perDevice.toMillis() + 999) / 1000));
        body.put("stopAfterFailures", stopAfterFailures);
        body.put("dryRun", dryRun);
        return body;
    }

    /** Prints devices as they end; returns the summary, or null if the stream ended without one. */
    private JsonNode follow(Stream<String> lines, PrintWriter out) {
        String event = null;
        for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
            String line = it.next();
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                JsonNode data = parse(line.substring(6));
                if ("summary".equals(event)) {
                    return data;
                }
                if ("device".equals(event) && isDone(data.path("status").asText())) {
                    printDevice(out, data);
                }
            }
        }
        return null;
    }

    private static boolean isDone(String status) {
        return !status.equals("pending") && !status.equals("running");
    }

    private void printDevice(PrintWriter out, JsonNode d) {
        if (json) {
            ObjectNode line = MAPPER.createObjectNode();
            line.put("device", d.path("device").asText());
            line.put("status", d.path("status").asText());
            line.set("exitCode", d.path("exitCode"));
            line.set("durationMs", d.path("durationMs"));
            line.put("stdout", d.path("stdout").asText());
            line.put("stderr", d.path("stderr").asText());
            if (d.hasNonNull("message")) {
                line.put("message", d.path("message").asText());
            }
            out.println(line);
        } else {
            out.printf("%-24s %-11s %5s %8s  %s%n", d.path("device").asText(), d.path("status").asText(),
                    d.path("exitCode").isNull() ? "-" : d.path("exitCode").asText(),
                    d.path("durationMs").isNull() ? "-" : d.path("durationMs").asLong() + "ms",
                    d.path("message").isNull() ? "" : d.path("message").asText());
            indent(out, d.path("stdout").asText());
            indent(out, d.path("stderr").asText());
        }
        out.flush();
    }

    private static void indent(PrintWriter out, String text) {
        if (!text.isEmpty()) {
            text.lines().forEach(l -> out.println("    " + l));
        }
    }

    private void printSummary(PrintWriter out, JsonNode summary) {
        if (json) {
            ObjectNode line = MAPPER.createObjectNode();
            line.put("summary", true);
            line.put("run", summary.path("id").asText());
            line.put("state", summary.path("state").asText());
            line.put("total", summary.path("total").asInt());
            line.set("counts", summary.path("counts"));
            line.put("succeeded", summary.path("succeeded").asBoolean());
            out.println(line);
        } else {
            out.printf("run %s %s: %d devices %s%n", summary.path("id").asText(), summary.path("state").asText(),
                    summary.path("total").asInt(), summary.path("counts"));
        }
        out.flush();
    }

    private int printDryRun(PrintWriter out, JsonNode answer) {
        for (JsonNode d : answer.path("devices")) {
            if (json) {
                out.println(d);
            } else {
                out.printf("%-24s %-11s %s%n", d.path("device").asText(), d.path("status").asText(),
                        d.path("message").isNull() ? "" : d.path("message").asText());
            }
        }
        return 0;
    }

    private static void cancelQuietly(RelayClient relay, Session session, String runId) {
        try {
            relay.delete("/api/v1/runs/" + runId, session.token());
        } catch (RuntimeException e) {
            // the relay is gone or the run ended: nothing left to cancel
        }
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new CliException(CliException.REFUSED, "the relay sent an event that is not JSON");
        }
    }
}
