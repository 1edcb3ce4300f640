package devicetunnel.agent.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code status.json} in the state directory: replaced whole (temporary file, then rename), mode
 * 0600, so a reader sees the previous report or the next, never half of one. Not fsynced: it is
 * rewritten every {@link #INTERVAL} and on every link change, and a report lost in a crash is
 * exactly what {@code status} should not trust anyway (on flash storage the syncs would cost wear).
 */
public final class StatusFile {
    public static final String NAME = "status.json";
    /** How often a running agent rewrites the report even when nothing changed. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    /** A report older than this comes from an agent that died or hangs. */
    public static final Duration STALE_AFTER = INTERVAL.multipliedBy(3);

    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusFile() {}

    public static void write(Path stateDir, StatusReport report) throws IOException {
        Path file = stateDir.resolve(NAME);
        Path tmp = stateDir.resolve(NAME + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, JSON.writeValueAsBytes(report));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public static Optional<StatusReport> read(Path stateDir) throws IOException {
        Path file = stateDir.resolve(NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.toFile(), StatusReport.class));
    }
}
