package devicetunnel.relay.http;

import devicetunnel.protocol.ErrorCode;
import devicetunnel.protocol.TunnelException;
import devicetunnel.relay.auth.Operator;
import devicetunnel.relay.share.Share;
import devicetunnel.relay.share.SessionShares;
import devicetunnel.relay.share.Sharing;
import devicetunnel.relay.ssh.TerminalSession;
import devicetunnel.relay.ssh.Watcher;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sharing a live terminal session (docs/API.md, "Sharing a session"): the owner creates links or
 * shares by user, lists shares and watchers, lets a joiner type, revokes; everyone lists what is
 * shared with them. Watching itself is the websocket {@code /api/v1/sessions/{id}/watch}. In a
 * cluster a session's shares live with the session: requests about a session a sibling holds are
 * passed to it, and what is shared with someone is gathered from every relay.
 */
public final class ShareRoutes {
    private static final Set<String> SHARE_FIELDS = Set.of("mode", "minutes", "user");
    private static final int DEFAULT_LINK_MINUTES = 15;

    private final Sharing sharing;
    private final SiblingRequests siblings;

    public ShareRoutes(Sharing sharing, SiblingRequests siblings) {
        this.sharing = sharing;
        this.siblings = siblings;
    }

    public void install(RoutesConfig routes) {
        routes.post("/api/v1/sessions/{id}/shares", heldHere(this::create));
        routes.get("/api/v1/sessions/{id}/shares", heldHere(this::list));
        routes.delete("/api/v1/sessions/{id}/shares/{shareId}", heldHere(this::revokeShare));
        routes.post("/api/v1/sessions/{id}/watchers/{watcherId}/typing", heldHere(this::allowTyping));
        routes.delete("/api/v1/sessions/{id}/watchers/{watcherId}", heldHere(this::revokeWatcher));
        routes.get("/api/v1/shared-sessions", this::sharedWithMe);
    }

    private void create(Context ctx) {
        Operator me = OperatorAuth.current(ctx);
        TerminalSession session = sharing.owned(me, ctx.pathParam("id"));
        JsonFields body = new JsonFields(Json.readObject(ctx.body(), 1024), SHARE_FIELDS);
        Watcher.Mode mode = mode(body.has("mode") ? body.text("mode", 8) : "watch");
        long maxMinutes = SessionShares.MAX_LINK_LIFETIME.toMinutes();
        if (body.has("user")) {
            Duration validFor = body.has("minutes") ? Duration.ofMinutes(body.integer("minutes", 0, 1, maxMinutes)) : null;
            Share share = sharing.shareWithUser(me, session, mode, body.text("user", 64), validFor, ctx.ip());
            ctx.status(201).json(share.view());
            return;
        }
        Duration validFor = Duration.ofMinutes(body.integer("minutes", DEFAULT_LINK_MINUTES, 1, maxMinutes));
        SessionShares.Link link = sharing.shareByLink(me, session, mode, validFor, ctx.ip());
        Map<String, Object> answer = new LinkedHashMap<>(link.share().view());
        answer.put("token", link.token());
        // In the fragment: the browser never sends it to a server, so no access log keeps it.
        answer.put("link", "/#watch=" + session.id() + "&share=" + link.token());
        ctx.status(201).json(answer);
    }

    private void list(Context ctx) {
        Operator me = OperatorAuth.current(ctx);
        TerminalSession session = sharing.managed(me, ctx.pathParam("id"));
        List<Map<String, Object>> shares = sharing.shares().of(session.id()).stream().map(Share::view).toList();
        List<Map<String, Object>> watchers = session.watchers().stream().map(ShareRoutes::watcherView).toList();
        ctx.json(Map.of("shares", shares, "watchers", watchers));
    }

    private void revokeShare(Context ctx) {
        Operator me = OperatorAuth.current(ctx);
        sharing.revokeShare(me, sharing.managed(me, ctx.pathParam("id")), ctx.pathParam("shareId"), ctx.ip());
        ctx.status(204);
    }

    private void allowTyping(Context ctx) {
        Operator me = OperatorAuth.current(ctx);
        sharing.allowTyping(me, sharing.owned(me, ctx.pathParam("id")), ctx.pathParam("watcherId"), ctx.ip());
        ctx.status(204);
    }

    private void revokeWatcher(Context ctx) {
        Operator me = OperatorAuth.current(ctx);
        sharing.revokeWatcher(me, sharing.managed(me, ctx.pathParam("id")), ctx.pathParam("watcherId"), ctx.ip());
        ctx.status(204);
    }

    private void sharedWithMe(Context ctx) {
        List<Object> all = new ArrayList<>(sharing.sharedWith(OperatorAuth.current(ctx)));
        siblings.gatherLists(ctx).forEach(list -> list.forEach(all::add));
        ctx.json(all);
    }

    private static Map<String, Object> watcherView(Watcher w) {
        return Map.of("id", w.id(), "user", w.username(), "mode", w.mode().wire(), "typing", w.typingAllowed(),
                "shareId", w.shareId());
    }

    private static Watcher.Mode mode(String wire) {
        return switch (wire) {
            case "watch" -> Watcher.Mode.WATCH;
            case "join" -> Watcher.Mode.JOIN;
            default -> throw new TunnelException(ErrorCode.BAD_REQUEST, "mode is 'watch' (read-only) or 'join' (may type once you allow it).");
        };
    }

    /** {@code local} for what this relay holds; otherwise the sibling holding it answers. */
    private Handler heldHere(Handler local) {
        return SiblingRequests.heldHereOrBySibling(sharing::holdsSession, siblings::forwardToSessionHolder, local);
    }
}
