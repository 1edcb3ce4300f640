package devicetunnel.relay.ws;

import java.util.zip.Deflater;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.util.compression.DeflaterPool;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;

/**
 * Whether the relay accepts a browser's permessage-deflate offer (RFC 7692) on its websockets, and
 * at which zlib level. Browsers always offer it; the relay's own clients (agents, the CLI) never
 * do, so in practice this is the terminal's output. Measured in docs/PERFORMANCE.md ("Browser
 * path"): deflating costs the relay more CPU per MB than all the rest of a terminal byte's trip, and
 * terminal output rarely needs the bytes saved, so it is off unless a deployment's browsers sit on
 * slow links.
 */
public enum TerminalCompression {
    /** The offer is declined: frames go uncompressed. */
    OFF,
    /** zlib level 1: most of the saving on text for a fraction of the CPU. */
    FAST,
    /** Jetty's default (zlib level 6), what the relay did before this setting existed. */
    DEFAULT;

    static final String EXTENSION = "permessage-deflate";

    /** Before the context starts: the deflater pool Jetty's websocket components will use. */
    public void configure(ServletContextHandler context) {
        if (this == FAST) {
            context.setAttribute(WebSocketServerComponents.WEBSOCKET_DEFLATER_POOL_ATTRIBUTE,
                    new DeflaterPool(DeflaterPool.DEFAULT_CAPACITY, Deflater.BEST_SPEED, true));
        }
    }

    /** Once the components exist (the websocket servlet's configuration): which extensions are negotiable. */
    public void apply(ServletContextHandler context) {
        if (this == OFF) {
            WebSocketComponents components = WebSocketServerComponents.getWebSocketComponents(context);
            components.getExtensionRegistry().unregister(EXTENSION);
        }
    }
}
