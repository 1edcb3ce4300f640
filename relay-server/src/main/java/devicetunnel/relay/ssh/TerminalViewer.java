package devicetunnel.relay.ssh;

import java.nio.ByteBuffer;

/** The browser end of a terminal session (a websocket). Sends must not block. */
public interface TerminalViewer {
    /** Queues output; {@code written} runs once the transport has written it or given up on it. */
    void sendOutput(ByteBuffer data, Runnable written);

    void sendControl(String json);

    void close(int code, String reason);
}
