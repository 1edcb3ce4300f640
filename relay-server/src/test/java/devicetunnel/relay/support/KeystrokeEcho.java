package devicetunnel.relay.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Times keystroke echoes on an open shell: one key at a time, from the send to the first byte back. */
public final class KeystrokeEcho {
    private KeystrokeEcho() {}

    /** Echo times in milliseconds, sorted; the typed line is wiped afterwards (Ctrl-U). */
    public static List<Double> sortedMillis(TerminalClient term, int keys, Duration timeout) throws InterruptedException {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            long before = term.received();
            long start = System.nanoTime();
            term.type("x");
            term.awaitOutput(out -> term.received() > before, timeout);
            times.add((System.nanoTime() - start) / 1e6);
        }
        term.type("\u0015");
        times.sort(null);
        return times;
    }

    public static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100 * sorted.size()) - 1));
    }
}
