package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.recording.CastLines;
import devicetunnel.relay.recording.Recordings;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.RecordingStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/v1/recordings/{id}/live}: an admin watches a session from its recording, as
 * server-sent events the asciinema player's {@code eventsource} driver plays: the asciicast header,
 * the events so far, then each new event as the recording is flushed (about once a second); an
 * event named {@code done} when the session has ended. Each watcher holds one relay thread while
 * it watches; closing the page ends it (noticed at the next write or keep-alive).
 */
final class LiveRecordingStream {
    private static final long KEEPALIVE_NANOS = 15_000_000_000L;

    private final Recordings recordings;
    private final AuditLog audit;

    LiveRecordingStream(Recordings recordings, AuditLog audit) {
        this.recordings = recordings;
        this.audit = audit;
    }

    void watch(Context ctx) throws IOException, InterruptedException {
        Operator me = OperatorAuth.current(ctx);
        if (!me.isAdmin()) {
            throw new TunnelException(ErrorCode.FORBIDDEN, "Only admins watch sessions live.");
        }
        RecordingStore.Entry entry = recordings.find(ctx.pathParam("id"))
                .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such recording."));
        audit.record("recording.watched", me.username(), entry.deviceId(), entry.sessionId(), ctx.ip(),
                "recording=" + entry.id() + (entry.endedAt() == null ? " live" : " ended"));
        ctx.res().setContentType("text/event-stream;charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-store");
        ctx.res().setHeader("X-Accel-Buffering", "no"); // a proxy in front must not hold the events back
        OutputStream out = ctx.res().getOutputStream(); // not Javalin's: it may compress, which holds events back
        recordings.follow(entry, new CastLines() {
            private long lastWrite = System.nanoTime();

            @Override
            public void line(String json) throws IOException {
                write(out, "data: " + json + "\n\n");
            }

            @Override
            public void waiting() throws IOException {
                if (System.nanoTime() - lastWrite >= KEEPALIVE_NANOS) {
                    write(out, ": still recording\n\n");
                }
            }

            private void write(OutputStream o, String text) throws IOException {
                o.write(text.getBytes(StandardCharsets.UTF_8));
                o.flush();
                lastWrite = System.nanoTime();
            }
        });
        out.write("event: done\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
