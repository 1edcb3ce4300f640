package devicetunnel.relay.ssh;

import java.nio.ByteBuffer;

/** The browser end of a terminal session (a websocket). Sends must not block. */
public interface TerminalViewer {
    void sendOutput(ByteBuffer data);

    void sendControl(String json);

    void close(int code, String reason);
}
