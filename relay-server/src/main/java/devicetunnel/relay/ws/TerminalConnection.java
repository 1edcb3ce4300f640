package devicetunnel.relay.ws;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalViewer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * One browser terminal websocket: its session once bound, and input typed before the session
 * takes it. Its monitor guards these fields only; nothing is called out while it is held (see
 * "Locks" in docs/ARCHITECTURE.md).
 */
final class TerminalConnection {
    final TerminalViewer viewer;
    private TerminalSession session;
    /** Input goes straight to the session (every early byte has been handed over). */
    private boolean inputReady;
    private boolean gone;
    private final ByteArrayOutputStream early = new ByteArrayOutputStream();
    private final int maxEarlyBytes;

    TerminalConnection(TerminalViewer viewer, int maxEarlyBytes) {
        this.viewer = viewer;
        this.maxEarlyBytes = maxEarlyBytes;
    }

    /** The session control messages go to; null before it is bound. */
    synchronized TerminalSession session() {
        return session;
    }

    /** Binds the ready session (before it is attached, so the control messages that follow find it); false when the websocket has gone. */
    synchronized boolean bind(TerminalSession ready) {
        if (gone) {
            return false;
        }
        session = ready;
        return true;
    }

    /** The websocket closed; returns the session to detach, if one was bound. */
    synchronized TerminalSession markGone() {
        gone = true;
        return session;
    }

    /**
     * Input arrived: returns the session to write it to, or null when it was kept for later
     * (earlier input is still being handed over). Throws when too much piled up meanwhile.
     */
    synchronized TerminalSession takeInput(ByteBuffer data) {
        if (inputReady) {
            return session;
        }
        if (early.size() + data.remaining() > maxEarlyBytes) {
            throw new TunnelException(ErrorCode.PAYLOAD_TOO_LARGE, "Too much input before the session was ready.");
        }
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        early.writeBytes(bytes);
        return null;
    }

    /**
     * The early bytes to write next (then call again), an empty array once input goes straight
     * to the session, or null when the websocket has gone meanwhile.
     */
    synchronized byte[] settle() {
        if (gone) {
            return null;
        }
        byte[] pending = early.toByteArray();
        early.reset();
        if (pending.length == 0) {
            inputReady = true;
        }
        return pending;
    }
}
