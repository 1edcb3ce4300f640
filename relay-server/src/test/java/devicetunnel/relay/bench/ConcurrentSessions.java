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
        List<RelayTerminal> created = Collections.synchronizedList(new ArrayList<>());
        List<RelayTerminal> echoers = Collections.synchronizedList(new ArrayList<>());
        List<RelayTerminal> flooders = Collections.synchronizedList(new ArrayList<>());
        ExecutorService opener = Executors.newFixedThreadPool(8);
        ScheduledExecutorService typist = Executors.newScheduledThreadPool(2);
        long setupStart = System.nanoTime();
        long setupDeadline = setupStart + TimeUnit.SECONDS.toNanos(options.pick(20, 75));
        try {
            List<Future<?>> opened = new ArrayList<>();
            // Flooders first: if the setup budget runs out, the figure still has its floods.
            for (int i = 0; i < flooding + interactive; i++) {
                boolean echo = i >= flooding;
                HttpClient http = clients.get(i % clients.size());
                opened.add(opener.submit(() -> {
                    RelayTerminal t = rig.relayTerminal(http, 80, 24);
                    created.add(t);
                    t.session().get(60, TimeUnit.SECONDS);
                    if (echo) {
                        t.enterEchoMode(BenchRig.TIMEOUT);
                        echoers.add(t);
                    } else {
                        t.output().firstOutput().get(60, TimeUnit.SECONDS);
                        flooders.add(t);
                    }
                    return null;
                }));
            }
            int failedToOpen = awaitUntil(opened, setupDeadline);
            opener.shutdownNow(); // whatever is not open by the deadline is left out of the figure
            opener.awaitTermination(30, TimeUnit.SECONDS);
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            System.out.printf(Locale.ROOT, "  %d + %d sessions open in %.1f s (relay holds %d, %d failed)%n",
                    echoers.size(), flooders.size(), setupSeconds, rig.liveSessions(), failedToOpen);

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
            String scale = echoers.size() + " interactive + " + flooders.size() + " flooding";
            report.add(new Report.Row("concurrent sessions", "echo p99, " + scale, p99, "ms",
                    Double.isNaN(idleP99Millis) ? null : idleP99Millis, "<= 10 ms", p99 <= 10,
                    String.format(Locale.ROOT, "asked for %d + %d, opened %d + %d in %.0f s (setup budget 75 s, quick 20 s); "
                            + "%d echoes in %d s, p50 %.2f ms; baseline = p99 on an idle relay",
                            interactive, flooding, echoers.size(), flooders.size(), setupSeconds,
                            echoes.count(), windowSeconds, echoes.percentileMillis(50))));
            if (flooding > 0) {
                double fairness = min == 0 ? Double.POSITIVE_INFINITY : (double) max / min;
                report.add(new Report.Row("concurrent sessions", "flood bytes max/min", fairness, "x", null,
                        "<= 2", fairness <= 2, String.format(Locale.ROOT, "floods together %.1f MB/s; slowest %.1f MB/s",
                                total / 1e6 / windowSeconds, min / 1e6 / windowSeconds)));
            }
        } finally {
            typist.shutdownNow();
            opener.shutdownNow();
            ExecutorService closer = Executors.newFixedThreadPool(8);
            List<Future<?>> closing = new ArrayList<>();
            for (RelayTerminal t : List.copyOf(created)) {
                closing.add(closer.submit(t::close));
            }
            for (Future<?> f : closing) {
                f.get(2, TimeUnit.MINUTES);
            }
            closer.shutdownNow();
        }
    }

    /** Waits for the futures until the deadline; returns how many failed. */
    private static int awaitUntil(List<Future<?>> futures, long deadlineNanos) throws InterruptedException {
        int failed = 0;
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return failed;
            } catch (java.util.concurrent.ExecutionException e) {
                failed++;
            }
        }
        return failed;
    }

    private ConcurrentSessions() {}
}
