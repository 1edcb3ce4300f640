package devicetunnel.relay.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Times keystroke echoes on an open shell: one key at a time, from the send to the first byte back. */
public final class KeystrokeEcho {
    /** Typed before the keys; not in any prompt. */
    private static final String MARKER = "%%";

    private KeystrokeEcho() {}

    /**
     * Echo times in milliseconds, sorted; the typed line is wiped afterwards (Ctrl-U). A marker is
     * typed and its echo awaited first: output still on its way (the prompt after the last command)
     * would otherwise pass for the first key's echo, and every later key would be timed by the echo
     * of the one before it (BadLinkIT once saw 40 ms through a 300 ms round trip that way).
     */
    public static List<Double> sortedMillis(TerminalClient term, int keys, Duration timeout) throws InterruptedException {
        int from = term.output().length();
        term.type(MARKER);
        term.awaitOutput(out -> out.indexOf(MARKER, from) >= 0, timeout);
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
