package devicetunnel.protocol;

import java.net.SocketAddress;
import java.util.Objects;

/** Names one end of an SSH connection that rides a device stream websocket rather than TCP. */
public final class StreamAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;

    private final String name;

    public StreamAddress(String name) {
        this.name = Objects.requireNonNull(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamAddress other && other.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "stream:" + name;
    }
}
