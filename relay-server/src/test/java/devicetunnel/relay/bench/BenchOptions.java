package devicetunnel.relay.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one benchmark run does. {@code --quick} shrinks every figure so a smoke run ends in under a
 * minute; the full run is sized to end in under five minutes on a 2-core machine.
 */
record BenchOptions(boolean quick, Path out, Set<String> only, int idleDevices, int sessions, int flooders) {
    static final List<String> FIGURES = List.of("setup", "bulk", "terminal", "latency", "idle", "concurrent", "agent", "browser");

    static BenchOptions parse(String[] args) {
        boolean quick = false;
        Path out = Path.of("target", "bench");
        Set<String> only = new LinkedHashSet<>(FIGURES);
        Integer idle = null;
        Integer sessions = null;
        Integer flooders = null;
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.startsWith("--out=")) {
                out = Path.of(arg.substring("--out=".length()));
            } else if (arg.startsWith("--only=")) {
                only = new LinkedHashSet<>(List.of(arg.substring("--only=".length()).split(",")));
                if (!FIGURES.containsAll(only)) {
                    throw new IllegalArgumentException("--only takes a comma list of " + FIGURES);
                }
            } else if (arg.startsWith("--idle-devices=")) {
                idle = Integer.parseInt(arg.substring("--idle-devices=".length()));
            } else if (arg.startsWith("--sessions=")) {
                sessions = Integer.parseInt(arg.substring("--sessions=".length()));
            } else if (arg.startsWith("--flooders=")) {
                flooders = Integer.parseInt(arg.substring("--flooders=".length()));
            } else {
                throw new IllegalArgumentException("unknown option " + arg
                        + " (known: --quick --out=DIR --only=" + String.join(",", FIGURES)
                        + " --idle-devices=N --sessions=N --flooders=N)");
            }
        }
        return new BenchOptions(quick, out, only,
                idle != null ? idle : quick ? 300 : 15_000,
                sessions != null ? sessions : quick ? 30 : 500,
                flooders != null ? flooders : quick ? 4 : 20);
    }

    boolean runs(String figure) {
        return only.contains(figure);
    }

    /** Scales a size between the quick smoke run and the full run. */
    int pick(int quickValue, int fullValue) {
        return quick ? quickValue : fullValue;
    }
}
