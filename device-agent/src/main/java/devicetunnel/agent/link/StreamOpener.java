package devicetunnel.agent.link;

/** Opens one stream websocket for a session the relay asked for. */
public interface StreamOpener {
    /** {@code url}: a sibling relay's advertised base URL to open the stream to, or null for this link's relay. */
    void open(String streamId, String token, String url);
}
