package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hundreds of sessions opened and closed leave no threads or file descriptors behind. */
@Timeout(600)
class LeakIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CYCLES = 200;
    private static final int WARM_UP = 10;
    /** Elastic pools (Jetty, JDK HttpClient, cached executors) may keep a few idle workers around for a minute. */
    private static final int THREAD_SLACK = 8;
    /** Threads that exist per session on relay or agent: none may outlive its session. */
    private static final java.util.regex.Pattern PER_SESSION = java.util.regex.Pattern.compile("(terminal|pty|exec)-.*");
    private static final int FD_SLACK = 8;

    @TempDir
    Path dir;

    @Test
    void threadsAndFileDescriptorsReturnToTheirBaseline() throws Exception {
        // 200 opens from one address would trip the per-IP session-open rate limit: lift it here.
        try (TestRelay relay = new TestRelay(dir, c -> c.withHardening(c.hardening().withRates(1_000, 100_000)))) {
            relay.onlineDevice("dev-1");
            String token = relay.adminToken();
            for (int i = 0; i < WARM_UP; i++) {
                cycle(relay, token, i);
            }
            awaitNoSessions(relay);
            int baseThreads = threads();
            long baseFds = openFds();
            java.util.Map<String, Long> baseNames = names();
            java.util.Map<String, Long> baseFdTargets = fdTargets();

            for (int i = 0; i < CYCLES; i++) {
                cycle(relay, token, i);
            }
            awaitNoSessions(relay);
            // On failure the message names what leaked: threads and descriptors before and after.
            await().atMost(WAIT).untilAsserted(() -> assertThat(perSessionThreads() == 0
                            && threads() <= baseThreads + THREAD_SLACK && openFds() <= baseFds + FD_SLACK)
                    .as(() -> leaked(baseNames, baseFdTargets))
                    .isTrue());
        }
    }

    /** Threads by name and descriptors by target, before and now: what a failure shows. */
    private static String leaked(java.util.Map<String, Long> threadsBefore, java.util.Map<String, Long> fdsBefore) {
        String fdsNow;
        try {
            fdsNow = fdTargets().toString();
        } catch (java.io.IOException e) {
            fdsNow = e.toString();
        }
        return "threads before " + threadsBefore + ", after " + names() + "; fds before " + fdsBefore + ", after " + fdsNow;
    }

    /** One session; half end with the shell's exit, half with the browser's close message. */
    private static void cycle(TestRelay relay, String token, int i) throws Exception {
        try (TerminalClient term = relay.terminal("dev-1", token, 80, 24)) {
            term.awaitSessionId(WAIT);
            if (i % 2 == 0) {
                term.type("exit\r");
            } else {
                term.sendText("{\"type\":\"close\"}");
            }
            term.awaitClose(WAIT);
        }
    }

    private static void awaitNoSessions(TestRelay relay) {
        await().atMost(WAIT).until(() -> relay.server().sessions().all().isEmpty());
    }

    private static java.util.Map<String, Long> names() {
        return Thread.getAllStackTraces().keySet().stream().collect(java.util.stream.Collectors.groupingBy(
                t -> t.getName().replaceAll("[0-9a-f-]{8,}|\\d+", "#"), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    private static java.util.Map<String, Long> fdTargets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().replaceAll("\\d+", "#");
                } catch (IOException e) {
                    return "?";
                }
            }).collect(java.util.stream.Collectors.groupingBy(x -> x, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        }
    }

    private static long perSessionThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> PER_SESSION.matcher(t.getName()).matches()).count();
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
