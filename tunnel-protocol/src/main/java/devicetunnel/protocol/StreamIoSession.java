package devicetunnel.protocol;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.Readable;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * An SSH transport that is a device stream websocket instead of a TCP socket, so MINA's client (on
 * the relay) and server (on the agent) speak straight through the websocket: no loopback hop, no
 * pump thread, no copy. Outgoing packets go to a {@link BinarySink} as they are (one frame each,
 * the write future completes when the websocket took the frame); incoming frames are handed to
 * MINA in the websocket's own thread by {@link #received}, so a busy session reads no more from the
 * socket until it has digested what it got. SSH's channel windows bound what either side queues.
 */
public final class StreamIoSession extends AbstractCloseable implements IoSession {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final StreamIoService service;
    private final IoHandler handler;
    private final BinarySink out;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;
    private final Map<Object, Object> attributes = new HashMap<>();
    private volatile IoWriteFuture lastWrite = AbstractIoWriteFuture.fulfilled(null, Boolean.TRUE);

    public StreamIoSession(StreamIoService service, IoHandler handler, BinarySink out,
                           SocketAddress localAddress, SocketAddress remoteAddress) {
        super("stream-io-" + remoteAddress);
        this.service = service;
        this.handler = handler;
        this.out = out;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
    }

    /** Hands the session to MINA, which creates its SSH session and starts talking. */
    public void start() throws Exception {
        service.register(this);
        handler.sessionCreated(this);
    }

    /** Bytes from the peer; MINA decodes them before this returns. Serial calls only. */
    public void received(ByteBuffer data) {
        if (isClosing()) {
            return;
        }
        try {
            handler.messageReceived(this, Readable.readable(data));
        } catch (Throwable e) {
            failed(e);
        }
    }

    /** The websocket under this session ended. */
    public void peerClosed() {
        close(true);
    }

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) throws IOException {
        StreamWriteFuture written = new StreamWriteFuture(this);
        if (isClosing()) {
            written.failed(new ClosedChannelException());
            return written;
        }
        lastWrite = written;
        CompletableFuture<Void> sent;
        try {
            // MINA does not touch an encoded packet again, so the frame can wrap its array.
            sent = out.send(ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available()));
        } catch (RuntimeException e) {
            written.failed(e);
            close(true);
            throw new IOException("stream send failed", e);
        }
        sent.whenComplete((ok, error) -> {
            if (error == null) {
                written.done();
            } else {
                written.failed(error);
                close(true);
            }
        });
        return written;
    }

    private void failed(Throwable e) {
        try {
            handler.exceptionCaught(this, e);
        } catch (Throwable ignored) {
            // the handler could not cope either: nothing left but closing
        } finally {
            close(true);
        }
    }

    @Override
    protected CloseFuture doCloseGracefully() {
        // Let queued packets (a disconnect message, say) reach the peer before the socket closes.
        return builder().when(lastWrite).build().close(false);
    }

    @Override
    protected void doCloseImmediately() {
        out.close();
        service.unregister(this);
        super.doCloseImmediately();
        try {
            handler.sessionClosed(this);
        } catch (Throwable ignored) {
            // MINA's own handler logs what it has to say
        }
        synchronized (attributes) {
            attributes.clear();
        }
    }

    @Override
    public long getId() {
        return id;
    }

    @Override
    public SocketAddress getLocalAddress() {
        return localAddress;
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return remoteAddress;
    }

    @Override
    public SocketAddress getAcceptanceAddress() {
        return localAddress;
    }

    @Override
    public IoService getService() {
        return service;
    }

    @Override
    public Object getAttribute(Object key) {
        synchronized (attributes) {
            return attributes.get(key);
        }
    }

    @Override
    public Object setAttribute(Object key, Object value) {
        synchronized (attributes) {
            return attributes.put(key, value);
        }
    }

    @Override
    public Object setAttributeIfAbsent(Object key, Object value) {
        synchronized (attributes) {
            return attributes.putIfAbsent(key, value);
        }
    }

    @Override
    public Object removeAttribute(Object key) {
        synchronized (attributes) {
            return attributes.remove(key);
        }
    }

    /** An SSH transport never half-closes; MINA only asks this of forwarded TCP sockets. */
    @Override
    public void shutdownOutputStream() {
        // nothing to do
    }

    /** MINA only suspends reading on forwarded TCP sockets; a stream is paced by SSH windows. */
    @Override
    public void suspendRead() {
        // nothing to do
    }

    @Override
    public void resumeRead() {
        // nothing to do
    }

    @Override
    public String toString() {
        return "StreamIoSession[" + remoteAddress + "]";
    }

    private static final class StreamWriteFuture extends AbstractIoWriteFuture {
        StreamWriteFuture(Object id) {
            super(id, null);
        }

        void done() {
            setValue(Boolean.TRUE);
        }

        void failed(Throwable error) {
            setValue(error);
        }
    }
}
