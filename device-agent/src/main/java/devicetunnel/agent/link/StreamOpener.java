package devicetunnel.agent.link;

/** Opens one stream websocket for a session the relay asked for. */
public interface StreamOpener {
    void open(String streamId, String token);
}
