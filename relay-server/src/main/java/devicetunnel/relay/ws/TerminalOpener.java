package devicetunnel.relay.ws;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.auth.TokenService;
import devicetunnel.relay.metrics.LogContext;
import devicetunnel.relay.metrics.RelayMetrics;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.policy.SessionGate;
import devicetunnel.relay.recording.RecordingLink;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.TerminalSessionStore;
import java.util.Optional;

/**
 * Decides and does what a terminal websocket asked for: open a session on a device, resume one
 * this relay holds, or resume through the device one this relay does not hold (it restarted, or
 * a sibling opened it). Rights, caps and audit happen here; refusals are {@link TunnelException}s.
 * {@link #open} and {@link #reattach} block on the device: call them off the websocket's thread.
 */
final class TerminalOpener {
    private final SessionGate gate;
    private final DeviceAccess access;
    private final TerminalSessions sessions;
    private final AuditLog audit;
    private final RelayMetrics metrics;

    TerminalOpener(SessionGate gate, DeviceAccess access, TerminalSessions sessions, AuditLog audit, RelayMetrics metrics) {
        this.gate = gate;
        this.access = access;
        this.sessions = sessions;
        this.audit = audit;
        this.metrics = metrics;
    }

    TerminalSession open(Operator operator, String deviceId, int cols, int rows, String ip) {
        long asked = System.nanoTime();
        Device device = access.forNewSession(operator, deviceId);
        gate.acquire(operator.username(), deviceId);
        boolean slotHeld = true;
        try {
            TerminalSession session = sessions.open(operator.username(), operator.tokenVersion(), operator.apiTokenId(),
                    device, cols, rows);
            slotHeld = false; // released when the session closes
            metrics.sessionReady(RelayMetrics.TERMINAL, System.nanoTime() - asked);
            LogContext.addSession(session.id()); // the audit line below carries it
            audit.record("session.open", operator.username(), deviceId, session.id(), ip, cols + "x" + rows + recorded(session));
            return session;
        } finally {
            if (slotHeld) {
                gate.release(operator.username(), deviceId);
            }
        }
    }

    /** The stored session with this id when this relay does not hold it (so it is resumed through the device). */
    Optional<TerminalSessionStore.Entry> elsewhere(String sessionId) {
        return sessions.elsewhere(sessionId);
    }

    /** A session this relay holds, for its owner or an admin (anyone else gets the same 404 as for no session). */
    TerminalSession resume(Operator operator, String sessionId, long offset, String ip) {
        TerminalSession session = sessions.find(sessionId)
                .filter(s -> s.operator().equals(operator.username()) || operator.isAdmin())
                .orElseThrow(TerminalOpener::noSuchSession);
        access.forSession(operator, session.deviceId()); // rights may have changed since it opened
        boolean owner = session.operator().equals(operator.username());
        audit.record(owner ? "session.resumed" : "session.taken_over", operator.username(), session.deviceId(),
                session.id(), ip, (owner ? "offset=" + offset : "owner=" + session.operator()) + recorded(session));
        return session;
    }

    /** Resumes through the device a session this relay does not hold; the agent replays what the browser missed. */
    TerminalSession reattach(Operator operator, TerminalSessionStore.Entry entry, long offset, int cols, int rows, String ip) {
        boolean owner = entry.operator().equals(operator.username());
        if (!owner && !operator.isAdmin()) {
            throw noSuchSession();
        }
        Device device = access.forSession(operator, entry.deviceId()); // rights may have changed since it opened
        gate.acquire(entry.operator(), entry.deviceId());
        boolean slotHeld = true;
        try {
            TerminalSession session = sessions.reattach(entry,
                    owner ? operator.tokenVersion() : TokenService.UNVERSIONED, owner ? operator.apiTokenId() : null,
                    device, offset, cols, rows);
            slotHeld = false; // released when the session closes
            audit.record("session.resumed_through_device", operator.username(), device.id(), entry.id(), ip,
                    "offset=" + offset + (owner ? "" : " owner=" + entry.operator()) + recorded(session));
            return session;
        } finally {
            if (slotHeld) {
                gate.release(entry.operator(), entry.deviceId());
            }
        }
    }

    /** The operator closed the tab: the shell ends at once. */
    void closeByUser(Operator operator, TerminalSession session, String ip) {
        audit.record("session.closed_by_user", operator == null ? null : operator.username(),
                session.deviceId(), session.id(), ip, null);
        session.close();
    }

    /** Audits a refusal (and a host key mismatch as its own event, for the admin's eyes). */
    void refused(Operator operator, String deviceId, TunnelException e, String ip) {
        String who = operator == null ? null : operator.username();
        if (e.code() == ErrorCode.HOST_KEY_MISMATCH) {
            audit.record("device.hostkey.mismatch", who, deviceId, null, ip,
                    "the device presented a host key other than the pinned one");
        }
        audit.record("session.refused", who, deviceId, null, ip, e.code().code() + ": " + e.getMessage());
    }

    /** The audit detail's link to the session's recording on this relay, if it is recorded. */
    private static String recorded(TerminalSession session) {
        return session.recordingId().map(id -> " " + RecordingLink.detail(id)).orElse("");
    }

    private static TunnelException noSuchSession() {
        return new TunnelException(ErrorCode.NOT_FOUND, "No such session (it may have ended).");
    }
}
