package devicetunnel.relay.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Requests about things one relay of a cluster keeps in its memory (fleet runs, terminal sessions
 * and their shares), answered wherever they arrive: the relay that does not hold the thing passes
 * the request to the sibling that does.
 */
public interface SiblingRequests {
    /** Where to pass a request, and the headers that go with it (the caller's credentials, its address signed). */
    record Passage(URI uri, Map<String, String> headers) {}

    /** One way to pass a request about {@code id} on: true when a sibling answered it. */
    @FunctionalInterface
    interface Forward {
        boolean to(Context ctx, String id) throws IOException;
    }

    /**
     * A handler for routes about one thing (path parameter {@code id}): {@code local} when
     * {@code heldHere} says it is on this relay, else the sibling {@code forward} finds answers;
     * with none, {@code local} again (its plain 404).
     */
    static Handler heldHereOrBySibling(Predicate<String> heldHere, Forward forward, Handler local) {
        return ctx -> {
            String id = ctx.pathParam("id");
            if (heldHere.test(id) || !forward.to(ctx, id)) {
                local.handle(ctx);
            }
        };
    }

    /**
     * Passes this request to the live sibling that minted {@code id} and streams its answer back as
     * it comes; false, with nothing sent, when no sibling holds it (this relay's own id, an id no
     * relay minted, a relay that is gone, or a request a sibling already passed here).
     */
    boolean forwardToOwner(Context ctx, String id) throws IOException;

    /** As {@link #forwardToOwner}, to the sibling holding live terminal session {@code sessionId}. */
    boolean forwardToSessionHolder(Context ctx, String sessionId) throws IOException;

    /**
     * Where this request (a websocket upgrade) would go to reach the sibling holding live terminal
     * session {@code sessionId}; empty when none does or a sibling already passed the request here.
     */
    Optional<Passage> towardsSessionHolder(Context ctx, String sessionId);

    /**
     * The JSON arrays every live sibling answers to this GET about its own items; empty on a single
     * node and for a request a sibling passed here (so a list is gathered once, not in a loop).
     * A sibling that does not answer in time is left out.
     */
    List<JsonNode> gatherLists(Context ctx);

    /** Single node: there is nobody to ask. */
    SiblingRequests NONE = new SiblingRequests() {
        @Override
        public boolean forwardToOwner(Context ctx, String id) {
            return false;
        }

        @Override
        public boolean forwardToSessionHolder(Context ctx, String sessionId) {
            return false;
        }

        @Override
        public Optional<Passage> towardsSessionHolder(Context ctx, String sessionId) {
            return Optional.empty();
        }

        @Override
        public List<JsonNode> gatherLists(Context ctx) {
            return List.of();
        }
    };
}
