package devicetunnel.relay.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Requests about things one relay of a cluster keeps in its memory (fleet runs, terminal sessions
 * and their shares), answered wherever they arrive: the relay that does not hold the thing passes
 * the request to the sibling that does.
 */
public interface SiblingRequests {
    /** Where to pass a request, and the headers that go with it (the caller's credentials, its address signed). */
    record Passage(URI uri, Map<String, String> headers) {}

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
