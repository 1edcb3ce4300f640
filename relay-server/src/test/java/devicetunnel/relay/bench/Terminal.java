package devicetunnel.relay.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** An interactive shell on the device: through the relay's browser websocket, or straight over SSH. */
interface Terminal extends AutoCloseable {
    void type(byte[] keys);

    OutputWatcher output();

    default void type(String keys) {
        type(keys.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Types a command and waits for its marker; returns nanoseconds from typing to marker. */
    default long run(String command, String marker, Duration timeout) throws Exception {
        var seen = output().expect(marker);
        long start = System.nanoTime();
        type(command + "\r");
        return seen.get(timeout.toMillis(), TimeUnit.MILLISECONDS) - start;
    }

    /** Puts the PTY in non-canonical mode with kernel echo and a silent reader: every key comes back alone. */
    default void enterEchoMode(Duration timeout) throws Exception {
        output().firstOutput().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        run("stty -icanon; echo E$((6*7))K; exec cat >/dev/null", "E42K", timeout);
    }

    @Override
    void close();
}
