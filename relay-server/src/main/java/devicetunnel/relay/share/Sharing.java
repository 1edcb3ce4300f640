package devicetunnel.relay.share;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.http.Json;
import devicetunnel.relay.policy.DeviceAccess;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.TerminalSessions;
import devicetunnel.relay.ssh.Watcher;
import devicetunnel.relay.store.AuditLog;
import devicetunnel.relay.store.Device;
import devicetunnel.relay.store.UserStore;
import java.time.Duration;
import java.util.List;

/**
 * What owners and watchers of a shared terminal session do, with its side effects in one place:
 * every step is audited, marked in the session's recording (when it is recorded), and a join or
 * a consent to type is printed by the device's shell for everyone on the session to read.
 */
public final class Sharing {
    public static final int MAX_WATCHERS_PER_SESSION = 20;
    /** Close code for a revoked watcher: 4000 + the HTTP status of FORBIDDEN, as the UI reads it. */
    static final int REVOKED_CLOSE = ErrorCode.FORBIDDEN.closeCode();

    private final TerminalSessions sessions;
    private final SessionShares shares;
    private final DeviceAccess access;
    private final UserStore users;
    private final AuditLog audit;

    public Sharing(TerminalSessions sessions, SessionShares shares, DeviceAccess access, UserStore users, AuditLog audit) {
        this.sessions = sessions;
        this.shares = shares;
        this.access = access;
        this.users = users;
        this.audit = audit;
    }

    public SessionShares shares() {
        return shares;
    }

    /** Whether the live session is on this relay (in a cluster it may be on a sibling). */
    public boolean holdsSession(String sessionId) {
        return sessions.find(sessionId).isPresent();
    }

    /** The session {@code me} owns (only the owner shares it); 404 for anyone else, as for no session. */
    public TerminalSession owned(Operator me, String sessionId) {
        return sessions.find(sessionId).filter(s -> s.operator().equals(me.username()))
                .orElseThrow(Sharing::noSuchSession);
    }

    /** The session {@code me} owns, or any session for an admin (to see and revoke its watchers). */
    public TerminalSession managed(Operator me, String sessionId) {
        return sessions.find(sessionId).filter(s -> s.operator().equals(me.username()) || me.isAdmin())
                .orElseThrow(Sharing::noSuchSession);
    }

    public SessionShares.Link shareByLink(Operator me, TerminalSession session, Watcher.Mode mode, Duration validFor, String ip) {
        SessionShares.Link link = shares.createLink(session.id(), session.deviceId(), me.username(), mode, validFor);
        audit.record("share.created", me.username(), session.deviceId(), session.id(), ip,
                "share=" + link.share().id() + " mode=" + mode.wire() + " link minutes=" + validFor.toMinutes());
        return link;
    }

    /** Shares with one user, who must exist and whose label scope must cover the device. */
    public Share shareWithUser(Operator me, TerminalSession session, Watcher.Mode mode, String user, Duration validFor, String ip) {
        Device device = access.visible(me, session.deviceId());
        boolean inScope = users.find(user).map(u -> u.mayAccess(device.labels())).orElse(false);
        if (!inScope) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, "No user '" + user + "' who may see this device.");
        }
        Share share = shares.createForUser(session.id(), session.deviceId(), me.username(), mode, user, validFor);
        audit.record("share.created", me.username(), session.deviceId(), session.id(), ip,
                "share=" + share.id() + " mode=" + mode.wire() + " user=" + user);
        return share;
    }

    /** Revokes a share and ends, at once, everyone who watches through it. */
    public void revokeShare(Operator me, TerminalSession session, String shareId, String ip) {
        Share share = shares.revoke(session.id(), shareId)
                .orElseThrow(() -> new TunnelException(ErrorCode.NOT_FOUND, "No such share."));
        audit.record("share.revoked", me.username(), session.deviceId(), session.id(), ip, "share=" + share.id());
        for (Watcher w : session.watchers()) {
            if (w.shareId().equals(shareId)) {
                end(me, session, w, ip);
            }
        }
    }

    /** Ends one watcher at once. */
    public void revokeWatcher(Operator me, TerminalSession session, String watcherId, String ip) {
        Watcher w = session.watcher(watcherId).orElseThrow(Sharing::noSuchWatcher);
        end(me, session, w, ip);
    }

    private void end(Operator me, TerminalSession session, Watcher w, String ip) {
        String message = Json.error(ErrorCode.FORBIDDEN, me.username() + " stopped sharing this session with you.");
        if (session.revoke(w, message, REVOKED_CLOSE, "share revoked")) {
            audit.record("session.watch.revoked", me.username(), session.deviceId(), session.id(), ip,
                    "watcher=" + w.username() + " share=" + w.shareId());
            session.marker(w.username() + " was removed by " + me.username());
        }
    }

    /**
     * The watcher's own rights no longer let them watch (the access sweep found them removed, logged
     * out, out of scope...): they get {@code reason} and are ended at once, like a revoked watcher.
     */
    public void withdraw(TerminalSession session, Watcher w, String reason) {
        if (session.revoke(w, Json.error(ErrorCode.FORBIDDEN, reason), REVOKED_CLOSE, "access withdrawn")) {
            audit.record("session.watch.revoked", null, session.deviceId(), session.id(), null,
                    "watcher=" + w.username() + " share=" + w.shareId() + " access withdrawn: " + reason);
            session.marker(w.username() + " lost access");
        }
    }

    /** The owner consents: the joiner may type, if their own rights would let them open a shell on the device. */
    public void allowTyping(Operator me, TerminalSession session, String watcherId, String ip) {
        Watcher w = session.watcher(watcherId).orElseThrow(Sharing::noSuchWatcher);
        if (w.mode() != Watcher.Mode.JOIN) {
            throw new TunnelException(ErrorCode.BAD_REQUEST, w.username() + " watches read-only: share a join link to let someone type.");
        }
        try {
            access.forSession(w.operator(), session.deviceId());
        } catch (TunnelException e) {
            throw new TunnelException(ErrorCode.FORBIDDEN, w.username() + " may not open sessions on this device, so may not type in yours.");
        }
        if (session.allowTyping(w)) {
            audit.record("session.watch.typing_allowed", me.username(), session.deviceId(), session.id(), ip,
                    "watcher=" + w.username());
            session.marker(w.username() + " may type");
            session.notice(w.username() + " may now type in this session");
        }
    }

    /** A watcher arrives through {@code share}: admitted by the caller, counted and announced here. */
    public Watcher join(Operator who, TerminalSession session, Share share, devicetunnel.relay.ssh.TerminalViewer viewer, String ip) {
        if (session.watchers().size() >= MAX_WATCHERS_PER_SESSION) {
            throw new TunnelException(ErrorCode.CONFLICT, "The session has " + MAX_WATCHERS_PER_SESSION + " watchers already.");
        }
        Watcher w = new Watcher(who, share.id(), share.mode(), !share.isLink(), viewer);
        String hello = Json.write(java.util.Map.of("type", "session", "id", session.id(), "offset", 0,
                "watching", share.mode().wire(), "owner", session.operator(), "deviceId", session.deviceId()));
        session.watch(w, hello);
        audit.record("session.watch.joined", who.username(), session.deviceId(), session.id(), ip,
                "share=" + share.id() + " mode=" + share.mode().wire() + (share.isLink() ? " via=link" : " via=user")
                        + " owner=" + session.operator());
        session.marker(who.username() + " joined (" + (share.mode() == Watcher.Mode.JOIN ? "join" : "read-only") + ")");
        session.notice(who.username() + (share.mode() == Watcher.Mode.JOIN
                ? " joined this session (may type once the owner allows it)" : " is watching this session (read-only)"));
        return w;
    }

    /** The watcher's websocket closed. */
    public void left(TerminalSession session, Watcher w, String ip) {
        if (session.unwatch(w)) {
            audit.record("session.watch.left", w.username(), session.deviceId(), session.id(), ip, "share=" + w.shareId());
            session.marker(w.username() + " left");
        }
    }

    /** Sessions shared with {@code me} by name, on devices {@code me} may still see. */
    public List<java.util.Map<String, Object>> sharedWith(Operator me) {
        return shares.forUser(me.username()).stream()
                .filter(s -> mayView(me, s.deviceId()))
                .map(Share::view)
                .toList();
    }

    /** Audits a refused watch (bad or expired link, not shared with them, too many watchers). */
    public void refused(Operator who, String sessionId, TunnelException e, String ip) {
        audit.record("session.watch.refused", who == null ? null : who.username(), null, sessionId, ip,
                e.code().code() + ": " + e.getMessage());
    }

    public boolean mayView(Operator who, String deviceId) {
        try {
            access.visible(who, deviceId);
            return true;
        } catch (TunnelException e) {
            return false;
        }
    }

    private static TunnelException noSuchWatcher() {
        return new TunnelException(ErrorCode.NOT_FOUND, "No such watcher (they may have left).");
    }

    private static TunnelException noSuchSession() {
        return new TunnelException(ErrorCode.NOT_FOUND, "No such session (it may have ended).");
    }
}
