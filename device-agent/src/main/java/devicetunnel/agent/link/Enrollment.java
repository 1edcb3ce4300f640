package devicetunnel.agent.link;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import devicetunnel.protocol.KeyFiles;
import devicetunnel.protocol.Protocol;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's enrollment at its relay. The first time (no record in the state directory) it presents
 * the enrollment token with its host public key; the relay's answer (the relay's SSH client keys and
 * its user CA keys) is kept in {@code enrollment.json}, and the token is never read again. Those keys
 * are the agent's pins: the record changes only through {@link #repin} after a rotation signed by a
 * pinned key (see {@link TrustPins}), or when an admin deletes it and the device enrolls again.
 */
public final class Enrollment {
    private static final Logger log = LoggerFactory.getLogger(Enrollment.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String RECORD_FILE = "enrollment.json";

    private final HttpClient http;
    private final RelayEndpoint relay;
    private final Path stateDir;
    private final String deviceId;
    private final String hostKey;
    private final Path tokenFile;
    private final Duration timeout;

    /**
     * What the agent remembers about its enrollment: where, as whom, and which relay keys to trust.
     * {@code userCaKeys} is null in records written before CA keys were pinned: such a record gains
     * its CA keys only through a rotation signed by its pinned relay key.
     */
    public record Record(String relay, String deviceId, List<String> relayKeys, List<String> userCaKeys) {
        public Record withKeys(List<String> newRelayKeys, List<String> newUserCaKeys) {
            return new Record(relay, deviceId, List.copyOf(newRelayKeys), List.copyOf(newUserCaKeys));
        }
    }

    public Enrollment(HttpClient http, RelayEndpoint relay, Path stateDir, String deviceId, String hostKey,
                      Path tokenFile, Duration timeout) {
        this.http = http;
        this.relay = relay;
        this.stateDir = stateDir;
        this.deviceId = deviceId;
        this.hostKey = hostKey;
        this.tokenFile = tokenFile;
        this.timeout = timeout;
    }

    /** Whatever enrollment record {@code stateDir} holds (for {@code device-agent status}), whichever relay it names. */
    public static Optional<Record> read(Path stateDir) throws IOException {
        Path file = stateDir.resolve(RECORD_FILE);
        return Files.exists(file) ? Optional.of(JSON.readValue(file.toFile(), Record.class)) : Optional.empty();
    }

    /** The record for this relay and device id, if the agent enrolled before. */
    public Optional<Record> load() throws IOException {
        Optional<Record> found = read(stateDir);
        if (found.isEmpty()) {
            return found;
        }
        Record record = found.get();
        boolean same = relay.base().toString().equals(record.relay()) && deviceId.equals(record.deviceId());
        return same ? Optional.of(record) : Optional.empty();
    }

    /** Fails fast at start-up when the agent can never connect: not enrolled and no token to enroll with. */
    public void checkConfig() throws IOException {
        if (load().isEmpty() && tokenFile == null) {
            throw new IllegalArgumentException("device " + deviceId + " is not enrolled at " + relay.base()
                    + ": pass --enrollment-token-file");
        }
    }

    /** Enrolls unless already enrolled; blocking. Returns the record either way. */
    public Record ensure() throws IOException, InterruptedException {
        Optional<Record> known = load();
        if (known.isPresent()) {
            return known.get();
        }
        String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        String body = JSON.writeValueAsString(Map.of("deviceId", deviceId, "hostKey", hostKey));
        HttpRequest request = HttpRequest.newBuilder(relay.http(Protocol.ENROLL_PATH))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("relay refused enrollment (" + response.statusCode() + "): " + errorMessage(response.body()));
        }
        JsonNode answer = JSON.readTree(response.body());
        List<String> keys = new ArrayList<>();
        answer.path("relayKeys").forEach(k -> keys.add(k.asText()));
        // Older relays do not answer with CA keys: leave them unpinned (null) rather than pin "none".
        List<String> caKeys = null;
        if (answer.has("userCaKeys")) {
            caKeys = new ArrayList<>();
            for (JsonNode k : answer.path("userCaKeys")) {
                caKeys.add(k.asText());
            }
        }
        Record record = new Record(relay.base().toString(), deviceId, keys, caKeys);
        write(record);
        log.info("enrolled at {} as {}; status {}", relay.base(), deviceId, answer.path("status").asText("?"));
        return record;
    }

    /** Replaces the record atomically and durably (temp file, fsync, rename): a crash leaves the old pins or the new. */
    public void repin(Record record) throws IOException {
        write(record);
    }

    private void write(Record record) throws IOException {
        KeyFiles.writePrivate(stateDir.resolve(RECORD_FILE), JSON.writeValueAsBytes(record));
    }

    private static String errorMessage(String body) {
        try {
            return JSON.readTree(body).path("message").asText("no reason given");
        } catch (IOException e) {
            return "no reason given";
        }
    }
}
