package devicetunnel.relay.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;

/**
 * Requests about things one relay of a cluster keeps in its memory (fleet runs), answered wherever
 * they arrive: the relay that does not hold the thing passes the request to the sibling that does.
 */
public interface SiblingRequests {
    /**
     * Passes this request to the live sibling that minted {@code id} and streams its answer back as
     * it comes; false, with nothing sent, when no sibling holds it (this relay's own id, an id no
     * relay minted, a relay that is gone, or a request a sibling already passed here).
     */
    boolean forwardToOwner(Context ctx, String id) throws IOException;

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
        public List<JsonNode> gatherLists(Context ctx) {
            return List.of();
        }
    };
}
