package devicetunnel.relay.bench;

import devicetunnel.protocol.KeyFiles;
import devicetunnel.relay.RelayConfig;
import devicetunnel.relay.support.ChildCluster;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TerminalClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * Cluster, failover: relays X and Y behind a first-alive balancer; N simulated device links and one
 * real agent with open shells, all on X; Y holds N links of its own (a warm relay in service). kill -9 of X, then: the time until Y holds every link, and
 * for each shell the time until it is resumed through Y (same pid, a new command answers), as a
 * browser would (retrying its resume every 200 ms).
 */
final class ClusterFailover {
    private static final Duration LEASE = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Links refused by a busy relay at the start redial with the agent's backoff, like any other. */
    private static final Duration SETUP = Duration.ofMinutes(3);
    private static final Pattern PID = Pattern.compile("pid-(\\d+)-end");

    /**
     * Two rounds in one run, each on a cluster of its own: with the shells' reserve of the handshake
     * bound (the shipped default), then without it; the figures are the first round's, the shells'
     * p99 against the second's.
     */
    static void run(BenchOptions options, Path dir, Report report) throws Exception {
        int devices = options.clusterDevices();
        long capMillis = options.clusterBackoffCapSeconds() * 1000L;
        // With the reserve first: two runs with it second were slower by 1.5-1.8x, which may be the
        // order (the second round's machine is the hotter one) as much as the reserve.
        Round with = round(options, dir.resolve("reserve"), RelayConfig.Network.AUTO_RESERVE);
        Round without = round(options, dir.resolve("no-reserve"), 0);
        double p99 = ClusterFigures.percentile(with.resumeSeconds(), 99);
        double p99Without = ClusterFigures.percentile(without.resumeSeconds(), 99);
        report.add(new Report.Row("cluster failover", "all devices online elsewhere", with.allOnlineSeconds(), "s", null,
                "<= backoff cap + 1 s", with.allOnlineSeconds() <= capMillis / 1000.0 + 1, String.format(Locale.ROOT,
                "%d simulated links + 1 agent on relay X (%s), kill -9, until relay Y (holding as many of its own) holds all %d; "
                + "each link redials as the agent does (full jitter from 500 ms, doubling to the cap of %d s, 10 s handshake timeout); "
                + "lease %d s; redials %s; half of them back after %.1f s, 90 %% after %.1f s (%.0f links/s); "
                + "without the shells' reserve: all back after %.1f s", devices, with.welcomed(),
                with.allOnline(), capMillis / 1000, LEASE.toSeconds(), with.redials().replace(" REFUSED ", ", failed "),
                with.backAt()[0], with.backAt()[1], (devices + 1) * 0.9 / with.backAt()[1], without.allOnlineSeconds())));
        report.add(new Report.Row("cluster failover", "relay Y CPU per reconnect", with.cpuMillisPerReconnect(), "ms", null,
                null, null, String.format(Locale.ROOT, "process CPU time of relay Y from the kill until it held all %d links, "
                + "divided by them (includes its pings to its own %d links and lease renewals over %.1f s)", devices + 1,
                devices, with.allOnlineSeconds())));
        report.add(new Report.Row("cluster failover", "open shells resumed, p99", p99, "s", p99Without, "<= 3 s", p99 <= 3,
                String.format(Locale.ROOT, "%d shells of one agent, kill -9 to a new command's output on relay Y (same pid); "
                + "p50 %.2f s; baseline: the same without the shells' reserve of the handshake bound (p50 %.2f s)",
                with.resumeSeconds().size(), ClusterFigures.percentile(with.resumeSeconds(), 50),
                ClusterFigures.percentile(without.resumeSeconds(), 50))));
    }

    /** What one kill of relay X gave. */
    private record Round(String welcomed, int allOnline, double allOnlineSeconds, double[] backAt,
                         double cpuMillisPerReconnect, String redials, List<Double> resumeSeconds) {}

    /** One cluster, one kill; {@code shellReserve} as {@code --shell-handshake-reserve} (-1: the default). */
    private static Round round(BenchOptions options, Path dir, int shellReserve) throws Exception {
        int devices = options.clusterDevices();
        long capMillis = options.clusterBackoffCapSeconds() * 1000L;
        int shells = options.pick(3, 6);
        Files.createDirectories(dir);
        Path hostKeyFile = dir.resolve("device_ed25519");
        String hostKey = PublicKeyEntry.toString(KeyFiles.loadOrCreate(hostKeyFile).getPublic());
        try (ChildCluster cluster = ClusterFigures.cluster(dir, LEASE)) {
            cluster.registerSimulatedDevices(2 * devices, hostKey); // X's devices, then Y's own
            ChildJvm x = new ChildJvm(ClusterRelayMain.class, List.of("-Xmx512m", "-XX:+UseSerialGC"),
                    ClusterFigures.relayArgs(cluster, "relay-x", LEASE, 5, shellReserve), dir.resolve("relay-x.log"));
            cluster.own(x::close);
            ChildJvm y = new ChildJvm(ClusterRelayMain.class, List.of("-Xmx512m", "-XX:+UseSerialGC"),
                    ClusterFigures.relayArgs(cluster, "relay-y", LEASE, 5, shellReserve), dir.resolve("relay-y.log"));
            cluster.own(y::close);
            int portX = Integer.parseInt(x.await("READY ", Duration.ofMinutes(2)));
            int portY = Integer.parseInt(y.await("READY ", Duration.ofMinutes(2)));
            FailoverProxy balancer = cluster.own(new FailoverProxy(List.of(portX, portY)));
            cluster.agent(balancer.baseUrl(), "dev-real", "--reconnect-max", options.clusterBackoffCapSeconds() + "s");
            ChildJvm sims = new ChildJvm(SimulatedAgentsMain.class, List.of("-Xmx1g", "-Xss256k"), List.of(balancer.baseUrl(),
                    Integer.toString(devices), hostKeyFile.toString(), Long.toString(capMillis)), dir.resolve("agents.log"));
            cluster.own(sims::close);
            String welcomed = sims.await("WELCOMED ", Duration.ofMinutes(3));
            awaitCount(x, devices + 1, SETUP);
            // The survivor is a relay in service: it holds a fleet of its own (as many devices as X),
            // so it is warm (its JIT compiled the connect path) when X's devices arrive.
            ChildJvm ownSims = new ChildJvm(SimulatedAgentsMain.class, List.of("-Xmx1g", "-Xss256k"), List.of(
                    "http://127.0.0.1:" + portY, Integer.toString(devices), hostKeyFile.toString(),
                    Long.toString(capMillis), Integer.toString(devices)), dir.resolve("agents-y.log"));
            cluster.own(ownSims::close);
            ownSims.await("WELCOMED ", Duration.ofMinutes(3));
            awaitCount(y, devices, SETUP);

            String urlX = "http://127.0.0.1:" + portX;
            String urlY = "http://127.0.0.1:" + portY;
            String token = RelayProcess.adminToken(urlX); // relays share the token secret
            List<Shell> open = new ArrayList<>();
            for (int i = 0; i < shells; i++) {
                TerminalClient term = cluster.own(TerminalClient.connect(ChildCluster.terminal(urlX, "dev-real"), token));
                String id = term.awaitSessionId(WAIT);
                term.type("echo pid-$$-end\r");
                Matcher m = PID.matcher(term.awaitOutput(out -> PID.matcher(out).find(), WAIT));
                m.find();
                open.add(new Shell(id, m.group(1), term));
            }

            Duration cpuBefore = cpu(y);
            long killedAt = System.nanoTime();
            x.kill();
            List<CompletableFuture<Double>> resumed = new ArrayList<>();
            for (Shell s : open) {
                resumed.add(CompletableFuture.supplyAsync(() -> resume(s, urlY, token, killedAt)));
            }
            double[] backAt = new double[2]; // seconds after the kill until half and 90 % of X's links were on Y
            int allOnline = awaitCount(y, 2 * devices + 1, Duration.ofMinutes(3), online -> {
                double seconds = (System.nanoTime() - killedAt) / 1e9;
                if (backAt[0] == 0 && online - devices >= (devices + 1) / 2) {
                    backAt[0] = seconds;
                }
                if (backAt[1] == 0 && online - devices >= (devices + 1) * 9 / 10) {
                    backAt[1] = seconds;
                }
            }) - devices;
            double allOnlineSeconds = (System.nanoTime() - killedAt) / 1e9;
            // What the surviving relay spent per reconnect: a figure the machine's load barely moves,
            // unlike the wall time above (these machines are shared).
            double cpuMillisPerReconnect = cpu(y).minus(cpuBefore).toNanos() / 1e6 / (devices + 1);
            sims.send("REDIALS");
            String redials = sims.await("REDIALS ", Duration.ofSeconds(30));
            List<Double> resumeSeconds = new ArrayList<>();
            for (CompletableFuture<Double> f : resumed) {
                resumeSeconds.add(f.get(3, TimeUnit.MINUTES));
            }
            resumeSeconds.sort(null);
            return new Round(welcomed, allOnline, allOnlineSeconds, backAt, cpuMillisPerReconnect, redials, resumeSeconds);
        }
    }

    private static Duration cpu(ChildJvm jvm) {
        return ProcessHandle.of(jvm.pid()).flatMap(h -> h.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException("no CPU time for pid " + jvm.pid()));
    }

    private record Shell(String sessionId, String pid, TerminalClient term) {}

    /** Seconds from the kill until the shell answers through Y with its old pid; retries like the console. */
    private static double resume(Shell shell, String urlY, String token, long killedAt) {
        try {
            shell.term().awaitClose(WAIT);
            long offset = shell.term().received();
            long deadline = killedAt + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < deadline) {
                try (TerminalClient term = TerminalClient.connect(URI.create(urlY.replace("http://", "ws://")
                        + "/api/v1/sessions/" + shell.sessionId() + "/terminal?offset=" + offset), token)) {
                    if (!answeredWithSession(term, Duration.ofSeconds(10))) {
                        throw new IllegalStateException("resume refused (device not back yet)");
                    }
                    term.type("echo back-$$-end\r");
                    term.awaitOutput(TerminalClient.hasLine("back-" + shell.pid() + "-end"), WAIT);
                    return (System.nanoTime() - killedAt) / 1e9;
                } catch (Exception | AssertionError e) {
                    TimeUnit.MILLISECONDS.sleep(200); // the console's retry pace
                }
            }
            throw new IllegalStateException("shell " + shell.sessionId() + " not resumed within 2 minutes");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** True on the session message, false at once on an error (the console retries those). */
    private static boolean answeredWithSession(TerminalClient term, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> types = term.controlTypes();
            if (types.contains("session")) {
                return true;
            }
            if (types.contains("error")) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return false;
    }

    /** Polls the relay's link count until it reaches {@code expected}; returns the count. */
    private static int awaitCount(ChildJvm relay, int expected, Duration atMost) throws InterruptedException {
        return awaitCount(relay, expected, atMost, online -> {});
    }

    private static int awaitCount(ChildJvm relay, int expected, Duration atMost, java.util.function.IntConsumer seen)
            throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        int online = 0;
        while (System.nanoTime() < deadline) {
            relay.send("COUNT");
            online = Integer.parseInt(relay.await("ONLINE ", Duration.ofSeconds(30)));
            seen.accept(online);
            if (online >= expected) {
                return online;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IllegalStateException("relay holds " + online + " links, not " + expected + ", after " + atMost);
    }

    private ClusterFailover() {}
}
