package devicetunnel.relay.recording;

import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.RecordingStore;
import java.io.IOException;
import java.time.Clock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One terminal session's recording. The session's output pump and its browser's resizes call in
 * from two threads (and its input, when the input rules ask for it: {@link InputRecording}); the
 * monitor orders them and is a leaf (only this file's writes run under it).
 * A write failure under {@link RecordingPolicy#ON} is logged and audited once and the recording
 * stops; under {@link RecordingPolicy#REQUIRED} it is thrown, and the session ends.
 */
public final class SessionRecording {
    private static final Logger log = LoggerFactory.getLogger(SessionRecording.class);

    private final RecordingStore.Entry entry;
    private final RecordingPolicy policy;
    private final boolean withInput;
    private final CastWriter writer;
    private final RecordingStore store;
    private final AuditLog audit;
    private final Clock clock;
    private final Consumer<SessionRecording> onClosed;
    private boolean broken;
    private boolean closed;

    /** Thrown when a required recording cannot be written: the session must end. */
    public static final class RequiredRecordingFailed extends Exception {
        RequiredRecordingFailed(IOException cause) {
            super("the required recording could not be written: " + cause.getMessage(), cause);
        }
    }

    SessionRecording(RecordingStore.Entry entry, RecordingPolicy policy, boolean withInput, CastWriter writer,
                     RecordingStore store, AuditLog audit, Clock clock, Consumer<SessionRecording> onClosed) {
        this.entry = entry;
        this.policy = policy;
        this.withInput = withInput;
        this.writer = writer;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.onClosed = onClosed;
    }

    public String id() {
        return entry.id();
    }

    public synchronized void output(byte[] data, int offset, int length) throws RequiredRecordingFailed {
        if (broken || closed) {
            return;
        }
        try {
            writer.output(data, offset, length);
        } catch (IOException e) {
            failed(e);
        }
    }

    /** The operator's keystrokes, as {@code "i"} events; nothing unless the input rules asked for them. */
    public synchronized void input(byte[] data) throws RequiredRecordingFailed {
        if (!withInput || broken || closed) {
            return;
        }
        try {
            writer.input(data);
        } catch (IOException e) {
            failed(e);
        }
    }

    public synchronized void resize(int cols, int rows) throws RequiredRecordingFailed {
        if (broken || closed) {
            return;
        }
        try {
            writer.resize(cols, rows);
        } catch (IOException e) {
            failed(e);
        }
    }

    /** Marks an event of the session (who joined, who may type); a failed write shows at the next output. */
    public synchronized void marker(String label) {
        if (broken || closed) {
            return;
        }
        try {
            writer.marker(label);
        } catch (IOException e) {
            log.debug("recording {}: marker not written: {}", entry.id(), e.toString());
        }
    }

    /** Flushes events that have waited a second or more (a periodic task calls it, for sessions gone quiet). */
    synchronized void flushIfDue() {
        if (broken || closed) {
            return;
        }
        try {
            writer.flushIfDue();
        } catch (IOException e) {
            // the session's next write meets the same error and handles it by the policy
            log.debug("recording {} could not be flushed: {}", entry.id(), e.toString());
        }
    }

    private void failed(IOException e) throws RequiredRecordingFailed {
        broken = true;
        log.warn("recording {} of session {} failed: {}", entry.id(), entry.sessionId(), e.toString());
        audit.record("recording.failed", entry.operator(), entry.deviceId(), entry.sessionId(), null,
                "recording=" + entry.id() + " policy=" + policy.wire() + " error=" + e.getMessage());
        if (policy == RecordingPolicy.REQUIRED) {
            throw new RequiredRecordingFailed(e);
        }
    }

    /** Ends the recording: the file is completed and its row says when the session ended and how much it printed. */
    public void close() {
        long bytes;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                writer.close();
            } catch (IOException e) {
                log.warn("recording {} could not be completed: {}", entry.id(), e.toString());
            }
            bytes = writer.outputBytes();
        }
        onClosed.accept(this);
        try {
            store.ended(entry.id(), clock.instant(), bytes);
        } catch (RuntimeException e) { // the file is complete; only the listing lacks the end time
            log.warn("could not record the end of recording {}: {}", entry.id(), e.toString());
        }
    }
}
