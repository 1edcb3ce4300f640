package devicetunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import devicetunnel.agent.Agent;
import devicetunnel.relay.auth.SecretTokens;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.auth.Enrollments;
import devicetunnel.relay.store.User;
import devicetunnel.relay.support.RelayProcess;
import devicetunnel.relay.support.TerminalClient;
import devicetunnel.relay.support.TestRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM on a real relay process: sessions are drained, then closed with a clear message; agents are sent away. */
@Timeout(180)
class RelaySigtermIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void sigtermDrainsThenClosesSessionsWithAReason() throws Exception {
        Path state = dir.resolve("relay");
        String enrollment = SecretTokens.generate();
        try (RelayServer setup = new RelayServer(RelayConfig.forTests(state))) {
            setup.users().add(new User(TestRelay.ADMIN, setup.passwordHasher().hash(TestRelay.PASSWORD.toCharArray()),
                    User.Role.ADMIN, Map.of()));
            setup.enrollments().create("test", new Enrollments.Request(false, true, Duration.ofHours(1), Map.of()), enrollment);
        }
        try (RelayProcess relay = RelayProcess.start(state, "--drain-timeout", "2s", "--ping-interval", "1s");
             Agent agent = new Agent(TestRelay.agentConfig(relay.baseUrl(), "dev-1", writeToken(enrollment),
                     dir.resolve("agent"), null, false)).start()) {
            await().atMost(WAIT).until(agent::isOnline);
            String token = login(relay.baseUrl());
            URI terminal = URI.create(relay.baseUrl().replace("http://", "ws://") + "/api/v1/devices/dev-1/terminal");
            try (TerminalClient term = TerminalClient.connect(terminal, token)) {
                term.awaitSessionId(WAIT);
                term.type("echo up-$((2+5))\r");
                term.awaitOutput(TerminalClient.hasLine("up-7"), WAIT);

                relay.terminate();

                await().atMost(WAIT).until(() -> !agent.isOnline());
                JsonNode error = term.awaitControl("error", WAIT);
                assertThat(error.get("error").asText()).isEqualTo("service_unavailable");
                assertThat(error.get("message").asText()).isEqualTo("relay shutting down");
                assertThat(term.awaitClose(WAIT)).isEqualTo(1001);
            }
            assertThat(relay.awaitExit(WAIT)).isTrue();
            assertThat(relay.log()).contains("draining: 1 session(s) open").contains("drain timeout reached");
        }
    }

    private static String login(String baseUrl) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("username", TestRelay.ADMIN, "password", TestRelay.PASSWORD))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body()).get("token").asText();
    }

    private Path writeToken(String token) throws Exception {
        Path file = dir.resolve("enroll.token");
        devicetunnel.protocol.KeyFiles.writePrivate(file, token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return file;
    }
}
