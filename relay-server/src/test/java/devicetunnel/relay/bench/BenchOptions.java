package devicetunnel.relay.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one benchmark run does. {@code --quick} shrinks every figure so a smoke run ends in under a
 * minute; the full run is sized to end in under five minutes on a 2-core machine.
 */
record BenchOptions(boolean quick, Path out, Set<String> only, int idleDevices, int sessions, int flooders,
                    int clusterDevices, int clusterIdleDevices, int clusterBackoffCapSeconds) {
    /** The agent's own default ({@code --reconnect-max}): what a fleet runs with. */
    static final int AGENT_BACKOFF_CAP_SECONDS = 60;
    static final List<String> FIGURES = List.of("setup", "bulk", "terminal", "latency", "recording", "idle", "concurrent", "flood", "files", "agent", "browser",
            "cluster-setup", "cluster-failover", "cluster-idle");
    /** The smoke run stays fast: cluster figures start relays and agents of their own (ask with --only). */
    private static final Set<String> NOT_IN_QUICK = Set.of("cluster-setup", "cluster-failover", "cluster-idle");

    static BenchOptions parse(String[] args) {
        boolean quick = false;
        Path out = Path.of("target", "bench");
        Set<String> only = new LinkedHashSet<>(FIGURES);
        Integer idle = null;
        Integer sessions = null;
        Integer flooders = null;
        Integer clusterDevices = null;
        Integer clusterIdle = null;
        int backoffCap = AGENT_BACKOFF_CAP_SECONDS;
        boolean chosen = false;
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.startsWith("--out=")) {
                out = Path.of(arg.substring("--out=".length()));
            } else if (arg.startsWith("--only=")) {
                only = new LinkedHashSet<>(List.of(arg.substring("--only=".length()).split(",")));
                chosen = true;
                if (!FIGURES.containsAll(only)) {
                    throw new IllegalArgumentException("--only takes a comma list of " + FIGURES);
                }
            } else if (arg.startsWith("--idle-devices=")) {
                idle = Integer.parseInt(arg.substring("--idle-devices=".length()));
            } else if (arg.startsWith("--sessions=")) {
                sessions = Integer.parseInt(arg.substring("--sessions=".length()));
            } else if (arg.startsWith("--flooders=")) {
                flooders = Integer.parseInt(arg.substring("--flooders=".length()));
            } else if (arg.startsWith("--cluster-devices=")) {
                clusterDevices = Integer.parseInt(arg.substring("--cluster-devices=".length()));
            } else if (arg.startsWith("--cluster-idle-devices=")) {
                clusterIdle = Integer.parseInt(arg.substring("--cluster-idle-devices=".length()));
            } else if (arg.startsWith("--cluster-backoff-cap=")) {
                backoffCap = Integer.parseInt(arg.substring("--cluster-backoff-cap=".length()));
                if (backoffCap < 1) {
                    throw new IllegalArgumentException("--cluster-backoff-cap takes whole seconds, at least 1");
                }
            } else {
                throw new IllegalArgumentException("unknown option " + arg
                        + " (known: --quick --out=DIR --only=" + String.join(",", FIGURES)
                        + " --idle-devices=N --sessions=N --flooders=N --cluster-devices=N --cluster-idle-devices=N --cluster-backoff-cap=SECONDS)");
            }
        }
        if (quick && !chosen) {
            only.removeAll(NOT_IN_QUICK);
        }
        return new BenchOptions(quick, out, only,
                idle != null ? idle : quick ? 300 : 15_000,
                sessions != null ? sessions : quick ? 30 : 500,
                flooders != null ? flooders : quick ? 4 : 20,
                clusterDevices != null ? clusterDevices : quick ? 100 : 1_000,
                clusterIdleDevices(clusterIdle, quick), backoffCap);
    }

    /** Spread over three relays: a multiple of 3. */
    private static int clusterIdleDevices(Integer asked, boolean quick) {
        int n = asked != null ? asked : quick ? 300 : 3_000;
        return Math.max(3, n - n % 3);
    }

    boolean runs(String figure) {
        return only.contains(figure);
    }

    /** Scales a size between the quick smoke run and the full run. */
    int pick(int quickValue, int fullValue) {
        return quick ? quickValue : fullValue;
    }
}
