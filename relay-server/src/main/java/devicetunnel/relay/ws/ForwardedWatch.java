package devicetunnel.relay.ws;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A watch of a terminal session a sibling relay holds (a watcher's browser reached this relay):
 * carried frame for frame over this relay's own websocket to the sibling's watch path, which does
 * everything a watch does (the share check, the replay, the pings). The sibling's next frame is
 * demanded only once the browser took the last one, so a slow browser is slow at the sibling too,
 * as on a direct watch. Public only because Jetty calls listener methods through a public
 * method-handle lookup.
 */
public final class ForwardedWatch implements Session.Listener {
    private static final long SEND_TIMEOUT_MILLIS = 30_000;
    private static final int GONE = 1011;

    private volatile Session sibling;
    private volatile Session browser;
    private volatile boolean siblingClosed;
    private volatile int closeCode = GONE;
    private volatile String closeReason = "the relay holding this session went away";

    @Override
    public void onWebSocketOpen(Session session) {
        sibling = session; // nothing is demanded until the browser's side is up
    }

    /** The browser's websocket is up: the sibling's frames may flow. */
    void attach(Session browserSession) {
        browser = browserSession;
        if (siblingClosed) {
            browserSession.close(closeCode, closeReason, Callback.NOOP);
        } else {
            sibling.demand();
        }
    }

    /** Browser -> sibling, in the browser socket's thread: a watcher sends little (pongs, a joiner's keys). */
    void fromBrowser(String text) {
        send(Callback.Completable.with(done -> sibling.sendText(text, done)));
    }

    void fromBrowser(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
        send(Callback.Completable.with(done -> sibling.sendBinary(copy, done)));
    }

    private void send(Callback.Completable sent) {
        try {
            sent.get(SEND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            endBoth();
        } catch (Exception e) {
            endBoth();
        }
    }

    /** The browser left: so does the watch at the sibling. */
    void browserClosed(int code, String reason) {
        boolean sendable = code == 1000 || code == 1001 || (code >= 3000 && code <= 4999);
        sibling.close(sendable ? code : 1000, reason == null ? "" : reason, Callback.NOOP);
    }

    @Override
    public void onWebSocketText(String message) {
        browser.sendText(message, Callback.from(sibling::demand, error -> endBoth()));
    }

    @Override
    public void onWebSocketBinary(ByteBuffer data, Callback callback) {
        browser.sendBinary(data, Callback.from(() -> {
            callback.succeed();
            sibling.demand();
        }, error -> {
            callback.fail(error);
            endBoth();
        }));
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        sibling.sendPong(payload, Callback.NOOP); // a listener that sees pings answers them itself
        sibling.demand();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        sibling.demand();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closeCode = statusCode;
        closeReason = reason == null ? "" : reason;
        siblingClosed = true;
        closeBrowser();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        siblingClosed = true;
        closeBrowser();
    }

    private void endBoth() {
        sibling.close(1000, "watcher gone", Callback.NOOP);
        closeBrowser();
    }

    private void closeBrowser() {
        Session b = browser;
        if (b != null && b.isOpen()) {
            b.close(closeCode, closeReason, Callback.NOOP);
        }
    }
}
