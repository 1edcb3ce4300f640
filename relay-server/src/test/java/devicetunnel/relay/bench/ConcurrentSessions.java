package devicetunnel.relay.bench;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Many sessions at once on one relay and one agent: interactive sessions type a key every 200 ms
 * (a fast typist) and time its echo while flooding sessions print as fast as the PTY allows; the
 * floods' byte counts over the same window show whether the relay shares bandwidth fairly.
 */
final class ConcurrentSessions {
    private static final long KEY_INTERVAL_MILLIS = 200;
    private static final String FLOOD = "yes 'the quick brown fox jumps over the lazy dog 0123456789'";

    /** Times one key in flight at a time on one interactive session. */
    private static final class EchoProbe {
        final RelayTerminal terminal;
        final Stats stats;
        volatile long sentAt;
        volatile boolean recording;

        EchoProbe(RelayTerminal terminal, Stats stats) {
            this.terminal = terminal;
            this.stats = stats;
            terminal.output().onChunk(this::echoed);
        }

        void echoed() {
            long sent = sentAt;
            if (sent != 0) {
                if (recording) {
                    stats.add(System.nanoTime() - sent);
                }
                sentAt = 0;
            }
        }

        void press() {
            if (sentAt == 0) {
                sentAt = System.nanoTime();
                terminal.type(new byte[] {'k'});
            }
        }
    }

    static void run(BenchRig rig, BenchOptions options, double idleP99Millis, Report report) throws Exception {
        int interactive = options.sessions();
        int flooding = options.flooders();
        int windowSeconds = options.pick(5, 20);
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(HttpClient.newHttpClient());
        }
        List<RelayTerminal> echoers = Collections.synchronizedList(new ArrayList<>());
        List<RelayTerminal> flooders = Collections.synchronizedList(new ArrayList<>());
        ExecutorService opener = Executors.newFixedThreadPool(8);
        ScheduledExecutorService typist = Executors.newScheduledThreadPool(2);
        long setupStart = System.nanoTime();
        try {
            List<Future<?>> opened = new ArrayList<>();
            for (int i = 0; i < interactive + flooding; i++) {
                boolean echo = i < interactive;
                HttpClient http = clients.get(i % clients.size());
                opened.add(opener.submit(() -> {
                    RelayTerminal t = rig.relayTerminal(http, 80, 24);
                    (echo ? echoers : flooders).add(t);
                    t.session().get(60, TimeUnit.SECONDS);
                    if (echo) {
                        t.enterEchoMode(BenchRig.TIMEOUT);
                    } else {
                        t.output().firstOutput().get(60, TimeUnit.SECONDS);
                    }
                    return null;
                }));
            }
            for (Future<?> f : opened) {
                f.get(5, TimeUnit.MINUTES);
            }
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            System.out.printf(Locale.ROOT, "  %d sessions open in %.1f s (relay holds %d)%n",
                    interactive + flooding, setupSeconds, rig.liveSessions());

            Stats echoes = new Stats();
            List<EchoProbe> probes = new ArrayList<>();
            for (RelayTerminal t : echoers) {
                EchoProbe probe = new EchoProbe(t, echoes);
                probes.add(probe);
                typist.scheduleAtFixedRate(probe::press, ThreadLocalRandom.current().nextLong(KEY_INTERVAL_MILLIS),
                        KEY_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
            }
            for (RelayTerminal t : flooders) {
                t.type(FLOOD + "\r");
            }
            TimeUnit.SECONDS.sleep(2); // floods and typing reach a steady state before the window opens
            long[] floodStart = new long[flooders.size()];
            for (int i = 0; i < floodStart.length; i++) {
                floodStart[i] = flooders.get(i).output().received();
            }
            probes.forEach(p -> p.recording = true);
            TimeUnit.SECONDS.sleep(windowSeconds); // the measurement window itself
            probes.forEach(p -> p.recording = false);
            long min = Long.MAX_VALUE;
            long max = 0;
            long total = 0;
            for (int i = 0; i < floodStart.length; i++) {
                long got = flooders.get(i).output().received() - floodStart[i];
                min = Math.min(min, got);
                max = Math.max(max, got);
                total += got;
            }
            typist.shutdownNow();
            double p99 = echoes.percentileMillis(99);
            String scale = interactive + " interactive + " + flooding + " flooding";
            report.add(new Report.Row("concurrent sessions", "echo p99, " + scale, p99, "ms",
                    Double.isNaN(idleP99Millis) ? null : idleP99Millis, "<= 10 ms", p99 <= 10,
                    String.format(Locale.ROOT, "%d echoes in %d s, p50 %.2f ms; baseline = p99 on an idle relay; setup of all sessions %.1f s",
                            echoes.count(), windowSeconds, echoes.percentileMillis(50), setupSeconds)));
            if (flooding > 0) {
                double fairness = min == 0 ? Double.POSITIVE_INFINITY : (double) max / min;
                report.add(new Report.Row("concurrent sessions", "flood bytes max/min", fairness, "x", null,
                        "<= 2", fairness <= 2, String.format(Locale.ROOT, "floods together %.1f MB/s; slowest %.1f MB/s",
                                total / 1e6 / windowSeconds, min / 1e6 / windowSeconds)));
            }
        } finally {
            typist.shutdownNow();
            List<Future<?>> closing = new ArrayList<>();
            for (RelayTerminal t : concat(echoers, flooders)) {
                closing.add(opener.submit(t::close));
            }
            for (Future<?> f : closing) {
                f.get(2, TimeUnit.MINUTES);
            }
            opener.shutdownNow();
        }
    }

    private static List<RelayTerminal> concat(List<RelayTerminal> a, List<RelayTerminal> b) {
        List<RelayTerminal> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private ConcurrentSessions() {}
}
