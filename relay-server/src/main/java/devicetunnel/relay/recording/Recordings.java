package devicetunnel.relay.recording;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.RecordingStore;
import devicetunnel.relay.store.User;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records browser terminal sessions as gzip-compressed asciicast v2 files in one directory (in a
 * cluster, a directory every relay mounts, so any relay plays any recording), described by rows in
 * the store; plays them back; removes those older than the retention.
 */
public final class Recordings {
    private static final Logger log = LoggerFactory.getLogger(Recordings.class);
    private static final int PRUNE_BATCH = 500;

    private final Path dir;
    private final Duration retention;
    private final RecordingStore store;
    private final AuditLog audit;
    private final String relayId;
    private final Clock clock;
    /** Recordings of this relay's running sessions, for {@link #flushQuietOnes}. */
    private final Set<SessionRecording> running = ConcurrentHashMap.newKeySet();
    private final LabelPolicies labelPolicies;
    private final InputRecording inputRecording;
    private final Function<String, Optional<User.Role>> roleOf;

    /**
     * {@code retention}: recordings started longer ago are removed; zero keeps them for ever.
     * {@code roleOf}: an operator's role, for the input rules that name roles.
     */
    public Recordings(Path dir, Duration retention, LabelPolicies labelPolicies, InputRecording inputRecording,
                      Function<String, Optional<User.Role>> roleOf, RecordingStore store, AuditLog audit,
                      String relayId, Clock clock) {
        this.dir = dir;
        this.labelPolicies = labelPolicies;
        this.inputRecording = inputRecording;
        this.roleOf = roleOf;
        this.retention = retention;
        this.store = store;
        this.audit = audit;
        this.relayId = relayId;
        this.clock = clock;
    }

    /** The policy the device's sessions get: the stricter of the device's own and its labels' (see {@link LabelPolicies}). */
    public RecordingPolicy policy(String deviceId) {
        RecordingStore.DeviceSetting setting = store.setting(deviceId);
        return labelPolicies.apply(RecordingPolicy.parse(setting.policy()), setting.labels());
    }

    /**
     * What applies to a device's sessions and why: its own policy, the label rules that raise it, and
     * the input rules that apply ({@code label:...} matched by its labels; {@code role:...} for
     * sessions of operators with that role).
     */
    public record Effective(String policy, String device, List<String> raisedBy, List<String> inputRecordedFor) {}

    public Effective effective(String deviceId) {
        RecordingStore.DeviceSetting setting = store.setting(deviceId);
        RecordingPolicy own = RecordingPolicy.parse(setting.policy());
        RecordingPolicy applied = labelPolicies.apply(own, setting.labels());
        List<String> input = new ArrayList<>(inputRecording.matchingLabels(setting.labels()));
        input.addAll(inputRecording.roleRules());
        return new Effective(applied.wire(), own.wire(),
                labelPolicies.raising(own, setting.labels()).stream().map(LabelPolicies.Rule::toString).toList(),
                applied == RecordingPolicy.OFF ? List.of() : input);
    }

    /** The device's own policy, as an admin set it (labels aside). */
    public RecordingPolicy devicePolicy(String deviceId) {
        return RecordingPolicy.parse(store.policy(deviceId));
    }

    public void setPolicy(String deviceId, RecordingPolicy policy) {
        store.setPolicy(deviceId, policy.wire());
    }

    /**
     * Starts recording a session as the device's policy says: null when it is off, or when it is on
     * and the recording cannot be started (logged and audited; the session goes on).
     *
     * @throws TunnelException {@link ErrorCode#RECORDING_FAILED} when the policy requires a recording that cannot be written
     */
    public SessionRecording start(String sessionId, String operator, String deviceId, int cols, int rows) {
        RecordingStore.DeviceSetting setting = store.setting(deviceId);
        RecordingPolicy policy = labelPolicies.apply(RecordingPolicy.parse(setting.policy()), setting.labels());
        if (policy == RecordingPolicy.OFF) {
            return null;
        }
        boolean withInput = inputRecording.applies(roleOf.apply(operator).orElse(null), setting.labels());
        String id = UUID.randomUUID().toString();
        String fileName = id + ".cast.gz";
        RecordingStore.Entry entry = new RecordingStore.Entry(id, sessionId, deviceId, operator, relayId, fileName,
                clock.instant(), null, 0);
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            OutputStream text = Files.newOutputStream(dir.resolve(transcriptName(id)), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            OutputStream file = null;
            CastWriter writer;
            try {
                TranscriptWriter transcript = new TranscriptWriter(text);
                file = Files.newOutputStream(dir.resolve(fileName), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                writer = new CastWriter(file, header(entry, cols, rows, withInput), transcript, System::nanoTime);
            } catch (IOException | RuntimeException e) {
                text.close();
                if (file != null) {
                    file.close();
                }
                throw e;
            }
            store.started(entry);
            SessionRecording recording = new SessionRecording(entry, policy, withInput, writer, store, audit, clock,
                    running::remove);
            running.add(recording);
            return recording;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot start recording session {} in {}: {}", sessionId, dir, e.toString());
            audit.record("recording.failed", operator, deviceId, sessionId, null,
                    "policy=" + policy.wire() + " error=" + e.getMessage());
            if (policy == RecordingPolicy.REQUIRED) {
                throw new TunnelException(ErrorCode.RECORDING_FAILED,
                        "This device requires session recording, and the relay cannot write recordings right now.", e);
            }
            return null;
        }
    }

    private CastWriter.Header header(RecordingStore.Entry entry, int cols, int rows, boolean withInput) {
        return new CastWriter.Header(cols, rows, entry.startedAt().getEpochSecond(),
                entry.operator() + " on " + entry.deviceId(),
                Map.of("TERM", "xterm-256color"),
                Map.of("device", entry.deviceId(), "operator", entry.operator(), "session", entry.sessionId(),
                        "relay", relayId == null ? "" : relayId, "input", withInput ? "recorded" : "not recorded"));
    }

    public List<RecordingStore.Entry> list(RecordingStore.Filter filter) {
        return store.list(filter);
    }

    public Optional<RecordingStore.Entry> find(String id) {
        return store.find(id);
    }

    /**
     * Writes the recording's asciicast text to {@code out}. A file still being written, or cut off
     * by a crash, ends at its last flushed event (the compressor's stream just stops there).
     */
    public void copyCast(RecordingStore.Entry entry, OutputStream out) throws IOException {
        Path file = dir.resolve(entry.fileName());
        if (!Files.exists(file)) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "The recording's file is missing from " + dir + ".");
        }
        try (InputStream in = new UnfinishedGzipInputStream(Files.newInputStream(file), 16 * 1024)) {
            byte[] buffer = new byte[64 * 1024];
            int held = 0; // bytes after the last complete line, kept until their line ends
            int n;
            while ((n = in.read(buffer, held, buffer.length - held)) > 0) {
                int end = held + n;
                int lastLine = lastNewline(buffer, end) + 1;
                out.write(buffer, 0, lastLine);
                held = end - lastLine;
                if (held == buffer.length) { // one line longer than the buffer: let it through as it is
                    out.write(buffer, 0, held);
                    held = 0;
                } else {
                    System.arraycopy(buffer, lastLine, buffer, 0, held);
                }
            }
            // what is still held is a line cut off by a crash: an asciicast reader would stop on it
        }
        out.flush();
    }

    private static int lastNewline(byte[] buffer, int end) {
        for (int i = end - 1; i >= 0; i--) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Recordings matching {@code filter} whose text contains {@code query} (ignoring case), newest
     * first, at most {@code filter.limit()}. Reads the plain-text transcripts, never the casts, and at
     * most {@link TranscriptSearch#MAX_SCANNED} of them: narrow the filter to search further back.
     */
    public List<TranscriptSearch.Hit> search(RecordingStore.Filter filter, String query) {
        List<RecordingStore.Entry> candidates = store.list(new RecordingStore.Filter(filter.deviceId(), filter.operator(),
                filter.from(), filter.to(), TranscriptSearch.MAX_SCANNED));
        return new TranscriptSearch(query, filter.limit()).search(candidates, e -> dir.resolve(transcriptName(e.id())));
    }

    /**
     * Follows a recording as it is written: {@code lines} gets the header and every event so far,
     * then new events as they are flushed, until the recording ends (its row gets an end time) or
     * {@code lines} throws. Blocking.
     */
    public void follow(RecordingStore.Entry entry, CastLines lines) throws IOException, InterruptedException {
        Path file = dir.resolve(entry.fileName());
        if (!Files.exists(file)) {
            throw new TunnelException(ErrorCode.NOT_FOUND, "The recording's file is missing from " + dir + ".");
        }
        new CastTail(file, () -> store.find(entry.id()).map(e -> e.endedAt() != null).orElse(true)).follow(lines);
    }

    /** Flushes the running recordings whose last events have waited a second or more (a quiet session's last output). */
    public void flushQuietOnes() {
        for (SessionRecording r : running) {
            r.flushIfDue();
        }
    }

    private static String transcriptName(String id) {
        return id + ".txt.gz";
    }

    /** Removes recordings (files, then rows) started before the retention; returns how many. */
    public int prune() {
        if (retention.isZero()) {
            return 0;
        }
        Instant cutoff = clock.instant().minus(retention);
        int removed = 0;
        List<RecordingStore.Entry> old;
        do {
            old = store.startedBefore(cutoff, PRUNE_BATCH);
            for (RecordingStore.Entry e : old) {
                try {
                    Files.deleteIfExists(dir.resolve(e.fileName()));
                    Files.deleteIfExists(dir.resolve(transcriptName(e.id())));
                    store.remove(e.id());
                    removed++;
                } catch (IOException ex) {
                    log.warn("cannot remove old recording {}: {}", e.fileName(), ex.toString());
                    return removed; // try again at the next sweep rather than spin on a file we cannot delete
                }
            }
        } while (old.size() == PRUNE_BATCH);
        if (removed > 0) {
            audit.record("recording.pruned", "relay", null, null, null,
                    "removed " + removed + " recordings started before " + cutoff);
        }
        return removed;
    }
}
