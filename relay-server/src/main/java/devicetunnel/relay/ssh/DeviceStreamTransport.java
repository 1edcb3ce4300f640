package devicetunnel.relay.ssh;

import devicetunnel.protocol.StreamAddress;
import devicetunnel.protocol.StreamIoService;
import devicetunnel.protocol.StreamIoSession;
import java.io.IOException;
import java.net.SocketAddress;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.DefaultIoConnectFuture;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.io.IoServiceFactoryFactory;
import org.apache.sshd.common.util.closeable.AbstractCloseable;
import org.apache.sshd.common.util.threads.CloseableExecutorService;

/**
 * MINA transport for the relay's SSH client: a "connection" is a device stream, named in the
 * connection context ({@link #STREAM}), not a TCP address. The client's packets become websocket
 * frames and the device's frames are decoded in Jetty's thread: no socket, no thread, no copy.
 */
final class DeviceStreamTransport implements IoServiceFactoryFactory {
    /** The device stream a connection rides; the address MINA passes alongside is ignored. */
    static final AttributeRepository.AttributeKey<DeviceStream> STREAM = new AttributeRepository.AttributeKey<>();

    private static final SocketAddress RELAY = new StreamAddress("relay");

    @Override
    public IoServiceFactory create(FactoryManager manager) {
        return new ServiceFactory();
    }

    @Override
    public void setExecutorServiceFactory(org.apache.sshd.common.Factory<CloseableExecutorService> factory) {
        // no threads of its own: work happens in Jetty's websocket threads and MINA's callers
    }

    private static final class ServiceFactory extends AbstractCloseable implements IoServiceFactory {
        private volatile IoServiceEventListener eventListener;

        @Override
        public IoConnector createConnector(IoHandler handler) {
            return new Connector(handler);
        }

        @Override
        public IoAcceptor createAcceptor(IoHandler handler) {
            throw new UnsupportedOperationException("the relay's SSH client only connects over device streams");
        }

        @Override
        public IoServiceEventListener getIoServiceEventListener() {
            return eventListener;
        }

        @Override
        public void setIoServiceEventListener(IoServiceEventListener listener) {
            eventListener = listener;
        }
    }

    private static final class Connector extends StreamIoService implements IoConnector {
        private final IoHandler handler;

        Connector(IoHandler handler) {
            this.handler = handler;
        }

        @Override
        public IoConnectFuture connect(SocketAddress ignored, AttributeRepository context, SocketAddress local) {
            DefaultIoConnectFuture future = new DefaultIoConnectFuture(ignored, null);
            DeviceStream stream = context == null ? null : context.getAttribute(STREAM);
            if (stream == null || stream.toDevice() == null) {
                future.setException(new IOException("no paired device stream for this connection"));
                return future;
            }
            StreamIoSession session = new StreamIoSession(this, handler, stream.toDevice(), RELAY,
                    new StreamAddress(stream.deviceId()));
            // MINA's client session reads its connection context (the pinned host key) when created.
            session.setAttribute(AttributeRepository.class, context);
            try {
                session.start();
                future.setSession(session); // MINA's connect listener runs before any device byte is decoded
                stream.attach(session);
            } catch (Throwable e) {
                session.close(true);
                future.setException(e);
            }
            return future;
        }
    }
}
