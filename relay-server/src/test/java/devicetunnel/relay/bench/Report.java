package devicetunnel.relay.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import devicetunnel.relay.http.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects figures, prints them as one table and writes them as JSON. */
final class Report {
    /**
     * One measured figure. {@code baseline} is the same measurement without the relay (or at rest),
     * taken in the same run; {@code met} is null when the figure has no goal.
     */
    record Row(String figure, String metric, double value, String unit, Double baseline, String goal, Boolean met,
               String note) {
        Double ratio() {
            return baseline == null || baseline == 0 || Double.isNaN(baseline) ? null : value / baseline;
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> limits = new LinkedHashMap<>();
    private final Instant started = Instant.now();

    synchronized void add(Row row) {
        rows.add(row);
        System.out.printf(Locale.ROOT, "  %-20s %-34s %12s %-6s%n", row.figure(), row.metric(), format(row.value()), row.unit());
    }

    void limit(String name, Object value) {
        limits.put(name, value);
    }

    void print(PrintStream out) {
        out.println();
        out.println("limits: " + limits);
        String header = String.format(Locale.ROOT, "| %-19s | %-34s | %12s | %-6s | %12s | %7s | %-28s | %-6s |",
                "figure", "metric", "value", "unit", "baseline", "ratio", "goal", "result");
        out.println(header);
        out.println("|---|---|---:|---|---:|---:|---|---|");
        for (Row r : rows) {
            out.println(String.format(Locale.ROOT, "| %-19s | %-34s | %12s | %-6s | %12s | %7s | %-28s | %-6s |",
                    r.figure(), r.metric(), format(r.value()), r.unit(),
                    r.baseline() == null ? "" : format(r.baseline()),
                    r.ratio() == null ? "" : String.format(Locale.ROOT, "%.2f", r.ratio()),
                    r.goal() == null ? "" : r.goal(),
                    r.met() == null ? "" : r.met() ? "met" : "MISSED"));
        }
        for (Row r : rows) {
            if (r.note() != null) {
                out.println("note (" + r.figure() + " / " + r.metric() + "): " + r.note());
            }
        }
    }

    /** Writes {@code bench-<time>.json} and {@code latest.json} under {@code dir}; returns the first. */
    Path write(Path dir, boolean quick) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("started", started.toString());
        doc.put("finished", Instant.now().toString());
        doc.put("mode", quick ? "quick" : "full");
        doc.put("limits", limits);
        List<Map<String, Object>> figures = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("figure", r.figure());
            m.put("metric", r.metric());
            m.put("value", finite(r.value()));
            m.put("unit", r.unit());
            m.put("baseline", r.baseline() == null ? null : finite(r.baseline()));
            m.put("ratio", r.ratio() == null ? null : finite(r.ratio()));
            m.put("goal", r.goal());
            m.put("met", r.met());
            m.put("note", r.note());
            figures.add(m);
        }
        doc.put("figures", figures);
        String json = Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started);
        Path file = dir.resolve("bench-" + (quick ? "quick-" : "") + stamp + ".json");
        Files.writeString(file, json);
        Files.writeString(dir.resolve("latest.json"), json);
        return file;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
