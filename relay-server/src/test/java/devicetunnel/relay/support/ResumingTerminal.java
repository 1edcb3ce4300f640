package devicetunnel.relay.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import org.awaitility.pollinterval.IterativePollInterval;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One terminal session followed across relays the way the web console follows it: when its
 * websocket goes, it resumes with the session id and the count of output bytes it has, on
 * whichever relay it is pointed at, retrying while that relay cannot reach the device yet. All
 * output of all connections is kept in order, so a test can check nothing came twice or not at all.
 */
public final class ResumingTerminal implements AutoCloseable {
    private static final Duration MAX_PAUSE = Duration.ofSeconds(2);
    private static final Pattern PID = Pattern.compile("pid-(\\d+)-end");

    private final String token;
    private final String sessionId;
    private final StringBuilder earlier = new StringBuilder();
    private final List<String> refusals = new ArrayList<>();
    private TerminalClient current;
    private long offset;

    private ResumingTerminal(String token, TerminalClient first, String sessionId) {
        this.token = token;
        this.current = first;
        this.sessionId = sessionId;
    }

    public static ResumingTerminal open(String relayUrl, String deviceId, String token, Duration wait) throws Exception {
        TerminalClient client = TerminalClient.connect(TestCluster.terminal(relayUrl, deviceId), token);
        return new ResumingTerminal(token, client, client.awaitSessionId(wait));
    }

    public String sessionId() {
        return sessionId;
    }

    /** The shell's pid ({@code echo pid-$$-end}). */
    public String pid(Duration wait) throws Exception {
        current.type("echo pid-$$-end\r");
        Matcher m = await().atMost(wait).until(() -> PID.matcher(output()), Matcher::find);
        return m.group(1);
    }

    public void type(String keys) {
        current.type(keys);
    }

    /** Everything every connection of this session received, in order. */
    public String output() {
        return earlier + current.output();
    }

    public void awaitOutput(Predicate<String> condition, Duration wait) {
        await().atMost(wait).until(() -> condition.test(output()));
    }

    /** The close code of the current websocket once the relay ends it. */
    public int awaitDropped(Duration wait) throws Exception {
        return current.awaitClose(wait);
    }

    /**
     * Resumes at {@code relayUrl} from the bytes received so far, retrying (as the console's
     * backoff does) while the relay answers with an error, e.g. the device is between relays.
     * Returns the relay's session message.
     */
    public JsonNode resumeOn(String relayUrl, Duration wait) throws Exception {
        current.close();
        earlier.append(current.output());
        offset += current.received();
        URI uri = URI.create(relayUrl.replace("http://", "ws://") + "/api/v1/sessions/" + sessionId
                + "/terminal?cols=80&rows=24&offset=" + offset);
        JsonNode[] hello = new JsonNode[1];
        // Growing pauses between tries (doubling up to 2 s), as the console's backoff: quick tries would
        // use up the relay's resume rate limit.
        await().atMost(wait).pollInterval(new IterativePollInterval(
                d -> d.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : d.multipliedBy(2), Duration.ofMillis(250)))
                .until(() -> {
            TerminalClient attempt;
            try {
                attempt = TerminalClient.connect(uri, token);
            } catch (ExecutionException refused) { // e.g. 503 from a relay that is starting or draining
                refusals.add(String.valueOf(refused.getCause()));
                return false;
            }
            long giveUp = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < giveUp) {
                List<String> types = attempt.controlTypes();
                if (types.contains("session")) {
                    hello[0] = attempt.awaitControl("session", Duration.ZERO);
                    current = attempt;
                    return true;
                }
                if (types.contains("error")) {
                    refusals.add(attempt.awaitControl("error", Duration.ZERO).path("error").asText());
                    attempt.close();
                    return false;
                }
                try {
                    attempt.awaitClose(Duration.ofMillis(100));
                    attempt.close();
                    return false;
                } catch (java.util.concurrent.TimeoutException stillOpen) {
                    // no answer yet: look again
                }
            }
            attempt.close();
            return false;
        });
        return hello[0];
    }

    /** Control messages of the current connection (e.g. a "gap" after a resume). */
    public List<String> controlTypes() {
        return current.controlTypes();
    }

    /** Why resume attempts were refused so far (error codes, handshake failures), for the test's report. */
    public List<String> refusals() {
        return List.copyOf(refusals);
    }

    public long offset() {
        return offset;
    }

    @Override
    public void close() {
        current.close();
    }
}
