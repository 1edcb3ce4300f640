package devicetunnel.relay.recording;

import java.io.IOException;

/** Receives a followed recording's asciicast lines (header first), without their line feeds. */
public interface CastLines {
    void line(String json) throws IOException;

    /** Called at each look at a file that has not grown: a chance to keep a connection alive. */
    void waiting() throws IOException;
}
