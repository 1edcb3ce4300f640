package devicetunnel.relay.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import devicetunnel.relay.store.RecordingStore;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The asciicast v2 file as a player reads it back through {@link Recordings#copyCast}. */
@Timeout(30)
class CastWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong();

    private CastWriter writer(OutputStream file) throws Exception {
        return new CastWriter(file, new CastWriter.Header(120, 40, 1_764_000_000L, "alice on dev-1",
                Map.of("TERM", "xterm-256color"), Map.of("device", "dev-1", "session", "s-1")),
                new TranscriptWriter(OutputStream.nullOutputStream()), nanos::get);
    }

    private List<String> readBack(Path file) throws Exception {
        Recordings recordings = new Recordings(file.getParent(), Duration.ZERO, LabelPolicies.NONE, InputRecording.NONE,
                u -> java.util.Optional.empty(), null, null, null, Clock.systemUTC());
        RecordingStore.Entry entry = new RecordingStore.Entry("r", "s-1", "dev-1", "alice", null,
                file.getFileName().toString(), Instant.now(), null, 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        recordings.copyCast(entry, out);
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void headerThenTimedOutputAndResizeEvents() throws Exception {
        Path file = dir.resolve("a.cast.gz");
        try (CastWriter cast = writer(Files.newOutputStream(file))) {
            nanos.set(TimeUnit.MILLISECONDS.toNanos(1500));
            cast.output("hello\r\n".getBytes(StandardCharsets.UTF_8), 0, 7);
            nanos.set(TimeUnit.MILLISECONDS.toNanos(2250));
            cast.resize(100, 30);
        }
        List<String> lines = readBack(file);
        JsonNode header = JSON.readTree(lines.get(0));
        assertThat(header.get("version").asInt()).isEqualTo(2);
        assertThat(header.get("width").asInt()).isEqualTo(120);
        assertThat(header.get("height").asInt()).isEqualTo(40);
        assertThat(header.get("timestamp").asLong()).isEqualTo(1_764_000_000L);
        assertThat(header.get("devicetunnel").get("session").asText()).isEqualTo("s-1");
        assertThat(JSON.readTree(lines.get(1)).toString()).isEqualTo("[1.5,\"o\",\"hello\\r\\n\"]");
        assertThat(JSON.readTree(lines.get(2)).toString()).isEqualTo("[2.25,\"r\",\"100x30\"]");
        assertThat(lines).hasSize(3);
    }

    @Test
    void aCharacterSplitBetweenTwoReadsIsRecordedWhole() throws Exception {
        Path file = dir.resolve("b.cast.gz");
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // three bytes
        try (CastWriter cast = writer(Files.newOutputStream(file))) {
            cast.output(euro, 0, 1);
            cast.output(euro, 1, 2);
            cast.output(new byte[] {(byte) 0xff}, 0, 1); // not UTF-8 at all: shown as a terminal shows it
            assertThat(cast.outputBytes()).isEqualTo(4);
        }
        List<String> lines = readBack(file);
        StringBuilder text = new StringBuilder();
        for (String line : lines.subList(1, lines.size())) {
            text.append(JSON.readTree(line).get(2).asText());
        }
        assertThat(text.toString()).isEqualTo("€\uFFFD");
    }

    @Test
    void aRecordingCutOffByACrashIsReadableUpToItsLastFlush() throws Exception {
        Path file = dir.resolve("c.cast.gz");
        CastWriter cast = writer(Files.newOutputStream(file));
        cast.output("before the crash\r\n".getBytes(StandardCharsets.UTF_8), 0, 18);
        nanos.addAndGet(CastWriter.FLUSH_INTERVAL_NANOS); // the next event pushes everything to the file
        cast.output("flushed\r\n".getBytes(StandardCharsets.UTF_8), 0, 9);
        cast.output("lost with the process\r\n".getBytes(StandardCharsets.UTF_8), 0, 23);
        // no close: the relay died here; a second file handle sees what reached the file

        List<String> lines = readBack(file);
        assertThat(String.join("\n", lines)).contains("before the crash").contains("flushed")
                .doesNotContain("lost with the process");
        for (String line : lines) {
            JSON.readTree(line); // every line a player gets is whole
        }
        cast.close();
    }

    @Test
    void copyingFromAMissingFileIsANotFound() {
        RecordingStore.Entry entry = new RecordingStore.Entry("r", "s", "d", "o", null, "gone.cast.gz", Instant.now(), null, 0);
        Recordings recordings = new Recordings(dir, Duration.ZERO, LabelPolicies.NONE, InputRecording.NONE,
                u -> java.util.Optional.empty(), null, null, null, Clock.systemUTC());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> recordings.copyCast(entry, new ByteArrayOutputStream()))
                .hasMessageContaining("missing");
    }
}
