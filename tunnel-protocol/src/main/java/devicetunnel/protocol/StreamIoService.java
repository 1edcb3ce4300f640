package devicetunnel.protocol;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * The MINA {@link IoService} behind {@link StreamIoSession}s: it knows the live sessions (MINA asks
 * a session's service for its siblings, and shutdown waits for them) and closes them with itself.
 */
public class StreamIoService extends AbstractCloseable implements IoService {
    private final Map<Long, IoSession> sessions = new ConcurrentHashMap<>();
    private volatile IoServiceEventListener eventListener;

    @Override
    public Map<Long, IoSession> getManagedSessions() {
        return Collections.unmodifiableMap(sessions);
    }

    void register(StreamIoSession session) {
        sessions.put(session.getId(), session);
    }

    void unregister(StreamIoSession session) {
        sessions.remove(session.getId(), session);
    }

    @Override
    public IoServiceEventListener getIoServiceEventListener() {
        return eventListener;
    }

    @Override
    public void setIoServiceEventListener(IoServiceEventListener listener) {
        this.eventListener = listener;
    }

    @Override
    protected void doCloseImmediately() {
        for (IoSession session : sessions.values()) {
            session.close(true);
        }
        super.doCloseImmediately();
    }
}
