package devicetunnel.relay.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.relay.http.Json;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which relay holds a live terminal session, asked of every relay at once over NATS
 * ({@code <prefix>.session-holder}) and answered only by the holder, from its memory: a session
 * moves to another relay when its browser resumes there, so a table would lag behind. A session no
 * relay holds gets no answer, so a miss costs the {@value #WAIT_MILLIS} ms wait.
 */
final class SessionHolders {
    private static final Logger log = LoggerFactory.getLogger(SessionHolders.class);
    private static final long WAIT_MILLIS = 1_000;

    private final Connection nats;
    private final String subject;

    SessionHolders(Connection nats, String subject) {
        this.nats = nats;
        this.subject = subject;
    }

    /** Answers siblings' questions for the sessions {@code holds} says are here, naming {@code selfUrl}. */
    Dispatcher serve(Predicate<String> holds, String selfUrl) {
        byte[] answer = Json.write(Map.of("url", selfUrl)).getBytes(StandardCharsets.UTF_8);
        Dispatcher d = nats.createDispatcher(message -> answer(message, holds, answer));
        d.subscribe(subject);
        return d;
    }

    private void answer(Message message, Predicate<String> holds, byte[] answer) {
        try {
            String sessionId = Json.MAPPER.readTree(message.getData()).path("sessionId").asText("");
            if (!sessionId.isEmpty() && message.getReplyTo() != null && holds.test(sessionId)) {
                nats.publish(message.getReplyTo(), answer);
            }
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("cluster: bad session-holder question: {}", e.toString());
        }
    }

    /** The advertised URL of the relay holding {@code sessionId}, if one answers in time. */
    Optional<String> urlOf(String sessionId) {
        byte[] question = Json.write(Map.of("sessionId", sessionId)).getBytes(StandardCharsets.UTF_8);
        try {
            Message reply = nats.requestWithTimeout(subject, question, Duration.ofMillis(WAIT_MILLIS))
                    .get(WAIT_MILLIS + 500, TimeUnit.MILLISECONDS);
            JsonNode answer = Json.MAPPER.readTree(reply.getData());
            return Optional.ofNullable(answer.path("url").textValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException | java.io.IOException | RuntimeException e) {
            return Optional.empty(); // nobody holds it (or NATS is away): a plain "no such session"
        }
    }
}
